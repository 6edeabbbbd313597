// Fixed numbers of Docker's overlay driver (daemon/libnetwork/drivers/overlay), shared by the firewall's
// encryption rules and the ESP state.

/** encryption.go `mark`: the fwmark of outgoing VXLAN to encrypt, and the reqid of every SA and template. */
export const OVERLAY_MARK = 0xd0c4e3;
/** spMark's mask. */
export const OVERLAY_MARK_MASK = 0xffffffff;
/** overlayutils.defaultVXLANUDPPort. */
export const DEFAULT_DATA_PATH_PORT = 4789;
