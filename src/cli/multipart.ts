/** The CLI's multipart bodies are the SDK's (src/client/node/multipart.ts). */
export { fileChunks, filenameParam, multipartBody, type MultipartBody, type MultipartField, type UploadFile } from '../client/node/multipart.js';
