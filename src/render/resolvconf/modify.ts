// The setters of moby's ResolvConf (Docker 29, internal/resolvconf/resolvconf.go): SetHeader,
// OverrideNameServers/Search/Options, Option and AddOption. Each returns a new value.
import type { Addr } from '../../net/index.ts';
import type { NDotsFrom, ResolvConf } from './types.ts';

const withMd = (rc: ResolvConf, md: Partial<ResolvConf['md']>): ResolvConf => ({ ...rc, md: { ...rc.md, ...md } });

/** SetHeader: text written verbatim at the top (each line must be a '#' or ';' comment). */
export const setHeader = (rc: ResolvConf, header: string): ResolvConf => withMd(rc, { header });

/** OverrideNameServers: replaces the whole list (an empty list still counts as an override). */
export const overrideNameServers = (rc: ResolvConf, nameServers: readonly Addr[]): ResolvConf =>
  withMd({ ...rc, nameServers: [...nameServers] }, { nsOverride: true });

/** OverrideSearch: replaces the whole list; a "." entry (meaning "no search domain") is dropped. */
export const overrideSearch = (rc: ResolvConf, search: readonly string[]): ResolvConf =>
  withMd({ ...rc, search: search.filter((s) => s !== '.') }, { searchOverride: true });

/**
 * Option: the value of the last option named `name` ("ndots:1" -> "1", "edns0" -> ""), or undefined
 * when there is none. Options are "name[:value]"; the name ends at the first ':'.
 */
export function option(rc: ResolvConf, name: string): string | undefined {
  for (let i = rc.options.length - 1; i >= 0; i--) {
    const opt = rc.options[i]!;
    const colon = opt.indexOf(':');
    const key = colon < 0 ? opt : opt.slice(0, colon);
    if (key === name) return colon < 0 ? '' : opt.slice(colon + 1);
  }
  return undefined;
}

/** OverrideOptions: replaces the whole list; ndots now comes from the override, or from nowhere. */
export function overrideOptions(rc: ResolvConf, options: readonly string[]): ResolvConf {
  const next: ResolvConf = { ...rc, options: [...options] };
  const ndotsFrom: NDotsFrom = option(next, 'ndots') !== undefined ? 'override' : '';
  return withMd(next, { ndotsFrom, optionsOverride: true });
}

/** AddOption: appends one option; adding "ndots:<something>" marks ndots as "internal". */
export function addOption(rc: ResolvConf, opt: string): ResolvConf {
  const next: ResolvConf = { ...rc, options: [...rc.options, opt] };
  return opt.length > 6 && opt.startsWith('ndots:') ? withMd(next, { ndotsFrom: 'internal' }) : next;
}
