// 64-bit fields decode to plain numbers on every runtime. protobufjs picks Long.js when it can
// `require` it (Node) and numbers when it cannot (browsers); pinning one keeps Node and Chromium
// byte-for-byte and type-for-type identical. Every uint64 here is a time in ms or a sequence
// number, far below 2^53. This module must be imported before gen/roomkey.js is evaluated.
import $protobuf from 'protobufjs/minimal.js';

$protobuf.util.Long = null as unknown as typeof $protobuf.util.Long;
$protobuf.configure();
