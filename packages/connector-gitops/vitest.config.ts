import { ringmasterProject } from '../../vitest.shared.js';

export default ringmasterProject();
