// Import rules of RoomKey, checked by `npm run lint` (dependency-cruiser). Two kinds:
//  1. Direction (DESIGN.md): proto ← core ← (components, extension, sw); the gateway uses proto and
//     the pure parts of core; nothing shipped imports tests, benches, scripts or the demo.
//  2. Public entries: across top-level folders, import only a public entry, never a folder's
//     internal files (`_*`, `private-*`, or anything else that is not an entry). The entries are
//       proto/index.ts
//       core/<capability>/index.ts   (crypto, room, store, transport, client, bridge, policy, dns…)
//       core/<file>.ts               (core's flat root: errors, bytes, codec, events…; core has no
//                                     catch-all index on purpose, so a bundle takes what it imports)
//       components/index.ts          (the elements; extension pages render them through it)
//     and the few light entries below, each a small side-effect-free file that a bundle which must
//     stay small imports instead of its folder's index (esbuild's code splitting puts every file an
//     index re-exports into the chunk of whoever imports the index: the one-script-tag bundle would
//     load the lazy extension and in-page chunks up front).
//     Inside one top-level folder anything goes. Tests, benches and scripts may reach internals.
const PRODUCT = '^(proto|core|components|extension|sw|gateway)/';
const NOT_SHIPPED = '^(test|bench|scripts|demo)/';
const LIGHT_ENTRIES = [
  // The extension's mark on <html>: <roomkey-sign-in> checks it in the eager bundle.
  '^core/bridge/marker\\.ts$',
  // The sign-in form normalizes the username as the gateway will (eager bundle).
  '^core/transport/username\\.ts$',
  // The one ChatMessage factory and its keys, which the room element uses (eager bundle).
  '^core/client/chat-message\\.ts$',
  // How replies, edits, deletes and reactions apply to the rows the room element shows (eager bundle).
  '^core/client/message-events\\.ts$',
  // The camera QR reader (jsQR on demand) of the devices elements and the extension's pair page.
  '^core/client/qr-camera\\.ts$',
  // "Last seen N days ago" in words, for the devices element and the extension's popup (no imports).
  '^core/client/last-seen\\.ts$',
  // The admin API, loaded on demand by components/admin-port.ts: not re-exported by core/client/index.ts,
  // so its code stays out of the in-page client's chunk (issue 19).
  '^core/client/admin-api\\.ts$',
];
const PUBLIC_ENTRIES = [
  '^proto/index\\.ts$',
  '^core/[^/_][^/]*/index\\.ts$',
  '^core/(?!_|private-)[^/]+\\.ts$',
  '^components/index\\.ts$',
  ...LIGHT_ENTRIES,
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'proto-imports-nothing',
      comment: 'proto/ is the wire schema: it imports no other RoomKey folder.',
      severity: 'error',
      from: { path: '^proto/' },
      to: { path: '^(core|components|extension|sw|gateway)/' },
    },
    {
      name: 'core-depends-on-proto-only',
      comment:
        'core/ is shared by every host: it may import proto/ only, never a UI, the extension, the service worker or the gateway. Pass what a host provides in through an interface at construction.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(components|extension|sw|gateway)/' },
    },
    {
      name: 'components-depend-on-core',
      comment:
        'components/ builds on core (and proto): move what it needs from extension/, sw/ or gateway/ into core.',
      severity: 'error',
      from: { path: '^components/' },
      to: { path: '^(extension|sw|gateway)/' },
    },
    {
      name: 'extension-depends-on-core',
      comment:
        'extension/ builds on core (the bridge is core/bridge, the client API core/client); it may render the elements through components/index.ts only, and never imports sw/ or gateway/.',
      severity: 'error',
      from: { path: '^extension/' },
      to: { path: '^(sw|gateway)/|^components/(?!index\\.ts$)' },
    },
    {
      name: 'sw-depends-on-core',
      comment:
        'sw/ builds on core (and proto): move what it shares with components/ or extension/ into core.',
      severity: 'error',
      from: { path: '^sw/' },
      to: { path: '^(components|extension|gateway)/' },
    },
    {
      name: 'gateway-uses-pure-core',
      comment:
        'The gateway uses proto and the pure parts of core (crypto, room, policy, transport, codecs, errors): not the client SDK, the local store or the bridge, and no client host.',
      severity: 'error',
      // Except `roomkey-gateway admin` (gateway/admin-cli*.ts): a client host that signs in as a
      // person through the SDK; cli.ts loads it only for that command.
      from: { path: '^gateway/', pathNot: '^gateway/admin-cli' },
      to: { path: '^(components|extension|sw)/|^core/(client|store|bridge)/' },
    },
    {
      name: 'browser-code-has-one-ed25519',
      comment:
        "Client code (core, components, extension, sw) never imports @nats-io/nkeys or tweetnacl, a second Ed25519 of 33 KiB (issue 19): nkey text is core/transport/nkey-codec.ts, and browser bundles alias nats-core's own require('@nats-io/nkeys') to core/transport/nkeys-noble.ts (scripts/browser-aliases.ts). Node code (gateway, tests, scripts) may use nkeys.js.",
      severity: 'error',
      from: { path: '^(core|components|extension|sw)/' },
      to: { path: 'node_modules/(@nats-io/nkeys|tweetnacl)/' },
    },
    {
      name: 'shipped-code-imports-no-tests',
      comment: 'Shipped code never imports tests, benches, scripts or the demo.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: NOT_SHIPPED },
    },
    {
      name: 'public-entries-only',
      comment:
        "Across top-level folders import a public entry only: proto/index.ts, core/<capability>/index.ts, core/<file>.ts, components/index.ts, or a light entry listed in .dependency-cruiser.cjs. Export what you need from the folder's index.ts instead of reaching into its files.",
      severity: 'error',
      from: { path: '^(proto|core|components|extension|sw|gateway)/' },
      to: {
        path: '^(proto|core|components|extension|sw|gateway)/',
        pathNot: ['^$1/', ...PUBLIC_ENTRIES],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.output|\\.wxt|\\.cache)/' },
    // swc parses TypeScript here (dependency-cruiser cannot use TypeScript 7's compiler); its AST
    // keeps type-only imports, so a type reaching into another folder is a dependency too.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
