// Packs the four MNIST IDX files into one gzip asset for the page:
// u32 LE count (4), count × u32 LE sizes, then the files in order
// train-images, train-labels, test-images, test-labels.
//   node scripts/pack_assets.mjs DATA_DIR OUT.gz
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const [dir, out] = process.argv.slice(2);
const names = ['train-images.idx3-ubyte', 'train-labels.idx1-ubyte', 'test-images.idx3-ubyte', 'test-labels.idx1-ubyte'];
const files = names.map((n) => readFileSync(path.join(dir, n)));
const header = Buffer.alloc(4 + 4 * files.length);
header.writeUInt32LE(files.length, 0);
files.forEach((f, i) => header.writeUInt32LE(f.length, 4 + 4 * i));
writeFileSync(out, gzipSync(Buffer.concat([header, ...files]), { level: 9 }));
