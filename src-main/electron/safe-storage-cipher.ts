import path from 'node:path'
import { safeStorage } from 'electron'
import { WmsError } from '@wms/shared/errors'
import { createKeyFileCipher, KEY_FILE_NAME, type SecretCipher } from '../services/settings/secret-cipher.js'

/**
 * The desktop app's secret cipher: Electron's `safeStorage`, whose key the OS keychain holds (Keychain on macOS,
 * DPAPI on Windows, libsecret/KWallet on Linux). Where Linux has no keychain, Electron falls back to a hard-coded
 * password (`basic_text`), which protects nothing; the app then uses the web host's AES-256-GCM key file in the
 * user-data folder (0600) instead, and Settings says so.
 */
export async function createDesktopCipher(userDataDir: string): Promise<SecretCipher> {
  const available = await safeStorage.isAsyncEncryptionAvailable()
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'
  if (!available || backend === 'basic_text' || backend === 'unknown') {
    const fallback = await createKeyFileCipher(path.join(userDataDir, KEY_FILE_NAME))
    return { ...fallback, description: `${fallback.description} (no OS keychain available to Electron)` }
  }
  return {
    kind: 'safe-storage',
    description: `the OS keychain through Electron safeStorage${backend === 'os' ? '' : ` (${backend})`}`,
    encrypt: (_name, plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (name, data) => {
      try {
        return (await safeStorage.decryptStringAsync(data)).result
      } catch (thrown) {
        throw new WmsError('secrets/unreadable', `The stored ${name} cannot be decrypted by the OS keychain.`, {
          hint: 'The keychain entry changed (another user or machine). Sign in again in Settings.',
          cause: thrown,
        })
      }
    },
  }
}
