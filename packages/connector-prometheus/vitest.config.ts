import { ringmasterProject } from '../../vitest.shared.js';

// Tests start a real Prometheus and wait for its scrapes: generous on a loaded 2-core machine.
export default ringmasterProject({ test: { testTimeout: 120_000 } });
