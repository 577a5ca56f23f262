import { describe, expect, it } from 'vitest'
import { gitPathProblem } from './git-path.js'

describe('gitPathProblem', () => {
  it.each([
    ['images/a.jpg', undefined],
    ['images/sub/.gitkeep.jpg', undefined],
    ['images/.github/a.jpg', undefined],
  ])('accepts %s', (relpath, expected) => {
    expect(gitPathProblem(relpath)).toBe(expected)
  })

  it.each([
    ['images/.git/a.jpg', /git's own folder/],
    ['images/.GIT/a.jpg', /git's own folder/],
    ['masks/.git. /a.png', /git's own folder/],
    ['masks/GIT~1/a.png', /git's own folder/],
    ['masks/.g\u200cit/a.png', /git's own folder/],
    ['images//a.jpg', /empty/],
    ['images/../a.jpg', /".."/],
    ['images/a\u0000.jpg', /control/],
    ['images/a\\b.jpg', /backslash/],
    ['', /empty/],
  ])('refuses %j', (relpath, reason) => {
    expect(gitPathProblem(relpath)).toMatch(reason)
  })
})
