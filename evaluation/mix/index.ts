/** Mixing real attack captures into benign traffic as a compromised VM (`prescient mix`). */
export { mixCapture, type MixOptions, type MixResult } from './mix-capture';
export { MixError } from './mix-error';
export { fixIpv4HeaderChecksum, ipv4Offset, rewriteFrame, type AddressRewrite, type RewrittenSide } from './frame-rewrite';
export { loadVmAddress, type VmAddress } from './vm-address';
