/**
 * Checks a short labeled proof (refresh, revocation) with core/crypto: false, never a throw, for
 * a signature of the wrong shape, so hostile requests get one typed error from the caller.
 * @example if (!(await verifyProof(LABEL_REFRESH, req.proof, deviceKey, deviceKey, u64be(t)))) throw new BadSignatureError('…');
 */
import { ED25519_SIGNATURE_BYTES, labeledMessage, verify } from '../core/crypto/index.ts';

/**
 * True when `signature` is `publicKey`'s signature of labeledMessage(label, ...parts).
 * @example await verifyProof(LABEL_REFRESH, proof, deviceKey, deviceKey, u64be(t));
 */
export async function verifyProof(
  label: string,
  signature: unknown,
  publicKey: Uint8Array,
  ...parts: Uint8Array[]
): Promise<boolean> {
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
  return verify(signature, labeledMessage(label, ...parts), publicKey);
}
