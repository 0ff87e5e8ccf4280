import { ringmasterProject } from '../../vitest.shared.js';

// One long beforeAll (pack + npm install) shared by every test of the file.
export default ringmasterProject({ test: { hookTimeout: 600_000, testTimeout: 180_000 } });
