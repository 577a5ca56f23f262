/** JSON schemas of the routes: they validate requests, shape responses and generate the OpenAPI document. */

export const errorSchema = {
  type: 'object',
  description: 'A refused or failed request',
  properties: {
    error: { type: 'string', description: 'stable code, e.g. not-an-image, too-many-pixels, overloaded' },
    message: { type: 'string', description: 'what happened and why' },
    hint: { type: 'string', description: 'what to do' },
  },
  required: ['error', 'message'],
} as const

const modelSchema = {
  type: 'object',
  nullable: true,
  properties: {
    version: { type: 'string', description: 'registry version (e.g. "3") or folder:<name>' },
    source: { type: 'string' },
    loadedAt: { type: 'string', format: 'date-time' },
    inputSize: { type: 'integer', description: 'square side the photo is resized to' },
    threshold: { type: 'number' },
    testDice: { type: 'number', nullable: true },
  },
} as const

export const infoSchema = {
  tags: ['service'],
  summary: 'What this server serves',
  response: {
    200: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        runner: { type: 'string' },
        source: { type: 'string', description: 'the model folder, or the registered model and registry' },
        model: modelSchema,
        problem: { type: 'string', nullable: true, description: 'why the last registry look loaded nothing' },
        routes: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
} as const

export const healthSchema = {
  tags: ['service'],
  summary: 'Liveness: the process answers',
  response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['live'] } } } },
} as const

export const readySchema = {
  tags: ['service'],
  summary: 'Readiness: a model is loaded and the server is not shutting down',
  response: {
    200: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['ready'] }, model_version: { type: 'string' } },
    },
    503: errorSchema,
  },
} as const

export const predictSchema = {
  tags: ['prediction'],
  summary: 'Predict the counter mask of one photo',
  description:
    'Send a JPEG or PNG as the raw body (image/jpeg, image/png, application/octet-stream) or as multipart/form-data ' +
    'field "image" (legacy "file"). The answer is the binary mask (0/255, one channel) at the photo\'s own size ' +
    '(after EXIF orientation): a PNG with X-Model-Version, X-Foreground-Share and X-Latency-Seconds headers, or JSON ' +
    'with the PNG in base64 when asked (?format=json or Accept: application/json).',
  querystring: {
    type: 'object',
    properties: {
      format: {
        type: 'string',
        enum: ['png', 'json'],
        description: 'answer format (default: PNG unless Accept asks for JSON)',
      },
    },
    additionalProperties: false,
  },
  response: {
    200: {
      description: 'The mask (PNG by default; JSON shown here)',
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['success'] },
        mask_base64: { type: 'string', description: 'PNG, 8-bit grey, values 0/255' },
        width: { type: 'integer' },
        height: { type: 'integer' },
        foreground: { type: 'number', description: 'share of foreground pixels (0..1)' },
        model_version: { type: 'string' },
        latency_seconds: { type: 'number' },
      },
    },
    400: errorSchema,
    413: errorSchema,
    415: errorSchema,
    422: errorSchema,
    503: errorSchema,
  },
} as const

/** Documentation only (request bodies are read as bytes, not validated as JSON): what `/predict` accepts. */
export const predictBodyDoc = {
  consumes: ['multipart/form-data', 'image/jpeg', 'image/png', 'application/octet-stream'],
  body: {
    type: 'object',
    properties: { image: { type: 'string', format: 'binary', description: 'the photo (JPEG or PNG)' } },
  },
} as const
