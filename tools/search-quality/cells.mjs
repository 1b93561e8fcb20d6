// Lists the NAS-Bench-201 cells a search-quality sweep found, with their table accuracy, rank in the table and how many
// of their 6 edges are parameter-free (none, skip_connect, avg_pool_3x3), plus the table's reference figures.
// Usage: node tools/search-quality/cells.mjs ROOT TABLE_CSV   (ROOT as written by nb201-mnist.sh; Markdown on stdout)
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [root, tablePath] = process.argv.slice(2);
if (!root || !tablePath) {
  console.error('usage: node cells.mjs ROOT TABLE_CSV');
  process.exit(2);
}
if (!existsSync(root)) { console.error(`ROOT '${root}' does not exist`); process.exit(2); }
if (!existsSync(tablePath)) { console.error(`TABLE_CSV '${tablePath}' does not exist`); process.exit(2); }

// The table: arch_str and test-accuracy columns (the arch strings hold no commas or quotes).
const lines = readFileSync(tablePath, 'utf8').split(/\r?\n/).filter(l => l.length > 0);
const header = lines[0].split(',');
const archColumn = header.indexOf('arch_str'), testColumn = header.indexOf('test-accuracy');
if (archColumn < 0 || testColumn < 0) { console.error(`'${tablePath}' has no arch_str or test-accuracy column`); process.exit(2); }
const table = new Map(lines.slice(1).map(l => { const f = l.split(','); return [f[archColumn], Number(f[testColumn])]; }));
const sorted = [...table.values()].sort((a, b) => a - b);
const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const fixed = (v, d = 2) => v.toFixed(d);
// Share of the table's cells strictly worse than v: 100 = best cell.
const percentile = v => 100 * sorted.filter(x => x < v).length / (sorted.length - 1);
const parameterFree = arch => arch.split('|').filter(t => t.includes('~')).filter(t => /^(none|skip_connect|avg_pool_3x3)~/.test(t)).length;
const noneEdges = arch => arch.split('|').filter(t => t.startsWith('none~')).length;

console.log(`Table \`${tablePath}\`: ${table.size} cells; test accuracy mean ${fixed(mean)} % (the expected score of a uniform random draw), ` +
  `median ${fixed(median)} %, best ${fixed(sorted[sorted.length - 1])} % (a reduced-budget table, not the 200-epoch one whose optimum is 94.37 %).\n`);
console.log('| strategy | seed | cell (arch_str) | table test acc. (%) | percentile in table | parameter-free edges (of 6) | none edges |');
console.log('|---|---:|---|---:|---:|---:|---:|');
const perStrategy = [];
for (const strategy of readdirSync(root, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort()) {
  const seeds = readdirSync(join(root, strategy)).filter(n => /^seed-\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const found = [];
  for (const seed of seeds) {
    const file = join(root, strategy, seed, 'search', 'result.json');
    if (!existsSync(file)) { console.log(`| ${strategy} | ${seed.slice(5)} | (no result.json) | - | - | - | - |`); continue; }
    const result = JSON.parse(readFileSync(file, 'utf8'));
    const arch = result.benchmarkArchitecture;
    const accuracy = table.get(arch);
    if (arch === undefined || accuracy === undefined) { console.log(`| ${strategy} | ${seed.slice(5)} | ${arch ?? '(none)'} | not in table | - | - | - |`); continue; }
    found.push({ accuracy, free: parameterFree(arch) });
    console.log(`| ${strategy} | ${seed.slice(5)} | \`${arch.replaceAll('|', '\\|')}\` | ${fixed(accuracy)} | ${fixed(percentile(accuracy), 1)} | ${parameterFree(arch)} | ${noneEdges(arch)} |`);
  }
  if (seeds.length > 0) perStrategy.push({ strategy, found });
}
console.log('\n| strategy | cells | table test acc. mean ± std (%) | parameter-free edges per cell (mean) | cells with >= 4 of 6 parameter-free |');
console.log('|---|---:|---:|---:|---:|');
for (const { strategy, found } of perStrategy) {
  const n = found.length;
  if (n === 0) { console.log(`| ${strategy} | 0 | - | - | - |`); continue; }
  const m = found.reduce((s, f) => s + f.accuracy, 0) / n;
  const sd = n > 1 ? Math.sqrt(found.reduce((s, f) => s + (f.accuracy - m) ** 2, 0) / (n - 1)) : NaN;
  const free = found.reduce((s, f) => s + f.free, 0) / n;
  console.log(`| ${strategy} | ${n} | ${fixed(m)} ± ${fixed(sd)} | ${fixed(free, 1)} | ${found.filter(f => f.free >= 4).length} |`);
}

// The pick of every edge after every epoch, as the search logged it (two-stage: largest |z|; darts: largest softmax
// weight, printed with it), digits in the benchmark's operation order: 0 none, 1 skip_connect, 2 nor_conv_1x1,
// 3 nor_conv_3x3, 4 avg_pool_3x3.
const edges = ['1<-0', '2<-0', '2<-1', '3<-0', '3<-1', '3<-2'];
const trajectories = [];
for (const strategy of readdirSync(root, { withFileTypes: true }).filter(d => d.isDirectory()).map(d => d.name).sort()) {
  for (const seed of readdirSync(join(root, strategy)).filter(n => /^seed-\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))) {
    const log = join(root, strategy, seed, 'search', 'search.log');
    if (!existsSync(log)) continue;
    const picks = Object.fromEntries(edges.map(e => [e, []]));
    const last = {};
    for (const line of readFileSync(log, 'utf8').split(/\r?\n/)) {
      const m = /(?:^|\s)(\d<-\d): (\d) \((\S+) ([^)]+)\)/.exec(line);
      if (m && m[1] in picks) { picks[m[1]].push(m[2]); last[m[1]] = `${m[3].replaceAll('|', '\\|')} ${Number(m[4]).toPrecision(3)}`; }
    }
    if (edges.every(e => picks[e].length === 0)) continue;
    trajectories.push(`| ${strategy} | ${seed.slice(5)} | ${edges.map(e => `${picks[e].join('')} (${last[e]})`).join(' | ')} |`);
  }
}
if (trajectories.length > 0) {
  console.log('\nPick of each edge after every epoch (0 none, 1 skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3), and the final pick\'s score:\n');
  console.log(`| strategy | seed | ${edges.join(' | ')} |`);
  console.log(`|---|---:|${edges.map(() => '---').join('|')}|`);
  for (const row of trajectories) console.log(row);
}
