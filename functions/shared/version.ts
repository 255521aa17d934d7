import packageJson from '../../package.json' with { type: 'json' };

/** The platform version, from package.json (bundled into each function at build time). */
export const version: string = packageJson.version;
