// Fails CI when the Jinja conformance score falls below the floor the project has reached, so a regression in
// the template engine cannot land unnoticed. Raise FLOOR as the engine improves; never lower it to pass.
import { readFileSync } from 'node:fs';

const FLOOR = Number(process.env.PHIAL_JINJA_FLOOR ?? 0.99);
const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const find = (obj, keys) => keys.map((k) => obj?.[k]).find((v) => typeof v === 'number');
const totals = report.overall;
const passed = find(totals, ['passed', 'pass']);
const failed = find(totals, ['failed', 'fail']);
if (typeof passed !== 'number' || typeof failed !== 'number') {
  console.error('jinja floor: cannot read totals from the report', Object.keys(report));
  process.exit(1);
}
const score = passed / (passed + failed);
console.log(
  `jinja floor: ${(score * 100).toFixed(1)}% of ${passed + failed} cases (floor ${(FLOOR * 100).toFixed(0)}%)`,
);
if (score < FLOOR) process.exit(1);
