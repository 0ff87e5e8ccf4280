import { ringmasterProject } from '../../vitest.shared.js';

// Each test runs several real git clones, commits and pushes: generous on a loaded 2-core machine.
export default ringmasterProject({ test: { testTimeout: 120_000 } });
