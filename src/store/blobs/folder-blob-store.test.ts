import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeBlobStore } from './blob-store.contract.js';
import { FolderBlobStore } from './folder-blob-store.js';

describeBlobStore('folder', async () => new FolderBlobStore(fs.mkdtempSync(path.join(os.tmpdir(), 'md-blobs-'))));
