/**
 * @serenity-kit/opaque behind one local module, so the dynamic import in auth.ts gets a chunk
 * named after what it is (`opaque-<hash>.js`) rather than after the package's folder.
 * @example const opaque = await import('./opaque.ts');
 */
export * from '@serenity-kit/opaque';
