import { ringmasterProject } from '../../vitest.shared.js';

export default ringmasterProject({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
  },
});
