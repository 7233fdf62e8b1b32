/**
 * The attribute the extension's content script sets on `<html>` (value: the bridge version), so a
 * page can tell at once that the extension is there. Its own module: the elements check it
 * without pulling the rest of the bridge into the eager bundle.
 * @example if (document.documentElement.hasAttribute(EXTENSION_MARKER)) showExtensionButton();
 */
export const EXTENSION_MARKER = 'data-roomkey-extension';
