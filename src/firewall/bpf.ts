// The classic-BPF program Docker hands to the iptables `bpf` match to pick out the VXLAN datagrams of
// one VNI (daemon/libnetwork/drivers/overlay/bpf.go, Docker 29: vniMatchBPF, marshalXTBPF, matchVXLAN).
//
// moby assembles the program with golang.org/x/net/bpf; the opcodes below are what that assembler
// produces for each instruction (vendor/golang.org/x/net/bpf/instructions.go Assemble methods and
// constants.go), written out so that the bytecode does not depend on an assembler here:
//
//   ld poff          LoadExtension{ExtPayloadOffset}   op 0x20 (ld|abs|w)  k = -0x1000 + 52 = 0xfffff034
//   tax              TAX{}                             op 0x07
//   ld [x + 4]       LoadIndirect{Off: 4, Size: 4}     op 0x40 (ld|ind|w)  k = 4   ; VNI in the top 24 bits
//   rsh #8           ALUOpConstant{ShiftRight, 8}      op 0x74 (alu|k|rsh) k = 8
//   jeq #vni, +1     JumpIf{JumpEqual, vni, SkipTrue 1} op 0x15 (jmp|jeq|k) jt = 1, jf = 0
//   ret #0           RetConstant{0}                    op 0x06
//   ret #-1          RetConstant{^uint32(0)}           op 0x06             k = 0xffffffff
//
// `ld poff` (the payload offset, a Linux extension) is the offset of the UDP payload, i.e. the VXLAN
// header, whatever the IP header length: the program is meant for rules that already match `-p udp`,
// in IPv4 and IPv6 alike. moby's only test of the program (bpf_linux_test.go TestVNIMatchBPF) runs it
// as a socket filter and pins no bytecode string; bpf_test.go only fuzzes that assembly never panics
// for any uint32. The string for VNI 4096, assembled by hand from bpf.go, is pinned in
// test/overlay-encryption.test.ts.

/** One raw classic-BPF instruction, as `struct sock_filter` (and bpf.RawInstruction) holds it. */
export interface BpfInstruction {
  readonly op: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

const BPF_LD_W_ABS = 0x20;
const BPF_MISC_TAX = 0x07;
const BPF_LD_W_IND = 0x40;
const BPF_ALU_RSH_K = 0x74;
const BPF_JMP_JEQ_K = 0x15;
const BPF_RET_K = 0x06;
/** SKF_AD_OFF (-0x1000) + SKF_AD_PAY_OFFSET (52), as an unsigned 32-bit K. */
const K_PAYLOAD_OFFSET = (-0x1000 + 52) >>> 0;

const isUint32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

/** vniMatchBPF: the program that accepts (returns -1 for) VXLAN datagrams carrying `vni`. */
export function vniMatchProgram(vni: number): readonly BpfInstruction[] {
  // moby takes a uint32 and the fuzz test feeds it any uint32; real VNIs are 24-bit (4096..2^24-1).
  if (!isUint32(vni)) throw new RangeError(`vniMatchProgram: VNI ${vni} is not a 32-bit unsigned integer`);
  return [
    { op: BPF_LD_W_ABS, jt: 0, jf: 0, k: K_PAYLOAD_OFFSET },
    { op: BPF_MISC_TAX, jt: 0, jf: 0, k: 0 },
    { op: BPF_LD_W_IND, jt: 0, jf: 0, k: 4 },
    { op: BPF_ALU_RSH_K, jt: 0, jf: 0, k: 8 },
    { op: BPF_JMP_JEQ_K, jt: 1, jf: 0, k: vni },
    { op: BPF_RET_K, jt: 0, jf: 0, k: 0 },
    { op: BPF_RET_K, jt: 0, jf: 0, k: 0xffffffff },
  ];
}

/**
 * marshalXTBPF: the "decimal" bytecode of `iptables -m bpf --bytecode`: the instruction count, then
 * per instruction `,op jt jf k` in decimal. iptables-save prints it back unchanged, in double quotes.
 */
export function marshalXtBpf(program: readonly BpfInstruction[]): string {
  let out = String(program.length);
  for (const i of program) out += `,${i.op} ${i.jt} ${i.jf} ${i.k >>> 0}`;
  return out;
}

/** The `--bytecode` value matchVXLAN puts in Docker's rules for `vni`. */
export const vniMatchBpf = (vni: number): string => marshalXtBpf(vniMatchProgram(vni));
