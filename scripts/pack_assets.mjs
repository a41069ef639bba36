// Packs a data set's four IDX files (plain or gzip) into one gzip asset for the page
// (parsed by web/app/datasets.cpp): u32 LE count (4 or 5), count × u32 LE sizes, then the files in
// order train-images, train-labels, test-images, test-labels and, with --name, a JSON description
// {"name", "classNames", "preprocess"}. --train N / --test N keep the first N examples of each.
//   node scripts/pack_assets.mjs DATA_DIR OUT.gz [--name NAME --classes A,B,… --preprocess digit|fill]
//                                [--train N] [--test N]
// MNIST: build/data (scripts/mnist_to_idx.mjs). Fashion-MNIST: Debian's /usr/share/datasets/fashion-mnist.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import path from 'node:path';

const [dir, out, ...rest] = process.argv.slice(2);
const options = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i].replace(/^--/, '')] = rest[i + 1];

// MNIST's names, dotted or dashed, t10k for the test set, plain or gzip (as the CLI reads them).
function find(set, kind) {
  const sets = set === 'train' ? ['train'] : ['test', 't10k'];
  for (const s of sets)
    for (const sep of ['.', '-'])
      for (const gz of ['', '.gz']) {
        const file = path.join(dir, `${s}-${kind}${sep}idx${kind === 'images' ? 3 : 1}-ubyte${gz}`);
        if (existsSync(file)) return file;
      }
  throw new Error(`${dir}: no ${set} ${kind} IDX file`);
}
function read(file) {
  const bytes = readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}
// The first `keep` examples of an IDX file (its first dimension is the count).
function firstOf(idx, keep) {
  const dims = idx[3], count = idx.readUInt32BE(4);
  if (!keep || keep >= count) return idx;
  const header = Buffer.from(idx.subarray(0, 4 + 4 * dims));
  header.writeUInt32BE(keep, 4);
  const per = (idx.length - 4 - 4 * dims) / count;
  return Buffer.concat([header, idx.subarray(4 + 4 * dims, 4 + 4 * dims + keep * per)]);
}

const files = [];
for (const set of ['train', 'test'])
  for (const kind of ['images', 'labels']) files.push(firstOf(read(find(set, kind)), Number(options[set]) || 0));
if (options.name) {
  const classes = options.classes ? options.classes.split(',') : [];
  files.push(Buffer.from(JSON.stringify({ name: options.name, classNames: classes, preprocess: options.preprocess || 'digit' })));
}
files.slice(0, 4).forEach((f, i) => {
  const name = ['train images', 'train labels', 'test images', 'test labels'][i];
  console.log(`${createHash('sha256').update(f).digest('hex')}  ${path.basename(out)}: ${name} (${f.readUInt32BE(4)})`);
});
const header = Buffer.alloc(4 + 4 * files.length);
header.writeUInt32LE(files.length, 0);
files.forEach((f, i) => header.writeUInt32LE(f.length, 4 + 4 * i));
writeFileSync(out, gzipSync(Buffer.concat([header, ...files]), { level: 9 }));
