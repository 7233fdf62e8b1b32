// Custom Elements Manifest for the RoomKey elements (plain ES module: the analyzer loads it itself).
//   node_modules/.bin/cem analyze --config components/cem.config.mjs --outdir dist
// writes dist/custom-elements.json: tag names, attributes, public properties and methods, events,
// CSS parts and custom properties, all from the JSDoc in components/*.ts.
export default {
  globs: ['components/**/*.ts'],
  exclude: ['components/**/private-*.ts', 'components/manifest.ts'],
  outdir: 'dist',
  litelement: true,
  // Never rewrite package.json (the analyzer adds a "customElements" field by default).
  packagejson: false,
  quiet: true,
  plugins: [publicApiOnly()],
};

/** Keeps the manifest to the public API: drops private/protected members and Lit internal state. */
function publicApiOnly() {
  const hidden = (name) => name.startsWith('_') || name.startsWith('#');
  return {
    name: 'roomkey-public-api-only',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          if (declaration.kind !== 'class') continue;
          declaration.members = declaration.members?.filter(
            (m) => m.privacy !== 'private' && m.privacy !== 'protected' && !hidden(m.name),
          );
          declaration.attributes = declaration.attributes?.filter((a) => !hidden(a.fieldName ?? a.name));
        }
      }
    },
  };
}
