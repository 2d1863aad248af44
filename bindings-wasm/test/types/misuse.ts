// Must NOT compile (test/node/types.test.mjs): a result's total is a number or null, not a string.
import { loadPack } from '../../pkg/index.js';
const total: string = loadPack('vn.enterprise').score({}, '2024').total;
export { total };
