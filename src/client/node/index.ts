/** The SDK for Node: the browser-safe core plus helpers that upload from and save to disk. */
export * from '../index.js';
export { filesOf, fileBody, importFolder, multipartUpload, putFolder, saveTo, uploadVersionFiles, walkFolder, type OnProgress } from './upload.js';
export { multipartBody, type UploadFile } from './multipart.js';
