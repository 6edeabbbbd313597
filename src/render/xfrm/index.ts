// `ip -batch` text for the xfrm plan of one host (src/topology/overlay/xfrm.ts): each line is what
// `ip xfrm state add` / `ip xfrm policy add` need to send the netlink messages that Docker's overlay
// driver sends through the netlink library (encryption.go programSA / programSP), and the matching
// `delete` lines for teardown.
//
// The texts:
// - renderXfrmStates(plan, 'reveal'): the SAs with their keys, to be written mode 0600 and fed to
//   `ip -batch`; the only text that holds key material;
// - renderXfrmStates(plan, 'redact'): the same lines with each key replaced by REDACTED_KEY, for goldens
//   and logs. `ip` rejects the placeholder ("ALGO-KEYMAT value is invalid"), so a redacted file can never
//   be applied by mistake with a made-up key;
// - renderXfrmPolicies(plan): the OUT policies (no key material);
// - renderXfrmTeardown(plan): policy deletes, then state deletes, as Docker's clearEncryptionStates
//   removes them (policies carrying the mark, then SAs carrying the reqid), each group in reverse order
//   of setup. Run it with `ip -force -batch` so an entry that is already gone does not stop the rest.
//
// Apply the states before the policies: a policy whose SA is missing makes the kernel hold (and drop)
// the marked VXLAN packets it matches.
//
// Syntax notes (iproute2 ip/xfrm_state.c, ip/xfrm_policy.c): in `-batch` input a line is split on blanks
// with '...' and "..." quoting (utils.c makeargs) and `#` starts a comment, so the algorithm name is
// quoted, which also keeps the lines valid in a shell. SPIs (8 digits) and marks are in hex and reqids in
// decimal, as `ip xfrm` prints them; the AEAD key is 0x-prefixed hex and the ICV length is in bits.
import type { XfrmPlan, XfrmPolicy, XfrmState } from '../../topology/overlay/xfrm.ts';
import { SECRET_SUFFIX } from '../files/secret.ts';
import type { Renderer } from '../renderer.ts';

/** Stands for the key in redacted text; not valid hex, so `ip` refuses it. */
export const REDACTED_KEY = '0xREDACTED';

export type KeyDisplay = 'reveal' | 'redact';

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
/** SPIs as `ip xfrm` prints them: 0x and 8 hex digits. */
const spiHex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

const stateId = (sa: XfrmState): string => `src ${sa.src} dst ${sa.dst} proto ${sa.proto} spi ${spiHex(sa.spi)}`;

/** `xfrm state add ...` for one SA. */
export function stateAddLine(sa: XfrmState, keys: KeyDisplay): string {
  const key = keys === 'reveal' ? `0x${sa.aead.key.revealHex()}` : REDACTED_KEY;
  return `xfrm state add ${stateId(sa)} reqid ${sa.reqid} mode ${sa.mode} aead '${sa.aead.name}' ${key} ${sa.aead.icvBits}`;
}

/** `xfrm state delete ...`: an SA is identified by (dst, proto, spi) and its source. */
export const stateDeleteLine = (sa: XfrmState): string => `xfrm state delete ${stateId(sa)}`;

const policySelector = (p: XfrmPolicy): string =>
  `src ${p.selector.src} dst ${p.selector.dst} proto ${p.selector.proto} dport ${p.selector.dport} dir ${p.dir} mark ${hex(p.mark.value)} mask ${hex(p.mark.mask)}`;

/** `xfrm policy add ...` for one policy. */
export function policyAddLine(p: XfrmPolicy): string {
  const t = p.tmpl;
  return `xfrm policy add ${policySelector(p)} tmpl src ${t.src} dst ${t.dst} proto ${t.proto} spi ${spiHex(t.spi)} reqid ${t.reqid} mode ${t.mode}`;
}

/** `xfrm policy delete ...`: a policy is identified by its selector, direction and mark. */
export const policyDeleteLine = (p: XfrmPolicy): string => `xfrm policy delete ${policySelector(p)}`;

const lines = (list: readonly string[]): string => list.map((l) => `${l}\n`).join('');

/** The SAs, in setup order, with their keys (`reveal`) or the placeholder (`redact`). */
export const renderXfrmStates = (plan: XfrmPlan, keys: KeyDisplay): string => lines(plan.states.map((sa) => stateAddLine(sa, keys)));

/** The OUT policies, in setup order. */
export const renderXfrmPolicies = (plan: XfrmPlan): string => lines(plan.policies.map(policyAddLine));

/** Removes exactly what the two setup texts add: the policies, then the SAs, each in reverse order. */
export const renderXfrmTeardown = (plan: XfrmPlan): string =>
  lines([...[...plan.policies].reverse().map(policyDeleteLine), ...[...plan.states].reverse().map(stateDeleteLine)]);

/** The SAs with their keys, when the host shares an encrypted overlay: written mode 0600, never kept in goldens. */
export const xfrmRenderer: Renderer = {
  name: 'xfrm states',
  files: (t) => (t.xfrm ? [[`xfrm-states${SECRET_SUFFIX}`, renderXfrmStates(t.xfrm, 'reveal')]] : []),
};
