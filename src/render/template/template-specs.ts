// A template's precompiled form (what `Handlebars.precompile` produces, as an object the runtime can
// use). Here it is compiled on first use, with the full Handlebars compiler: the path under tsx and in
// tests. The bundle built by tools/build.ts replaces this module with the specs precompiled at build
// time, so a build only loads handlebars' runtime.
import Handlebars from 'handlebars';
import { COMPILE_OPTIONS } from './options.ts';

export function templateSpec(_name: string, source: string): TemplateSpecification {
  // precompile() returns JavaScript source for an object literal; this is how the bundle embeds it too.
  return new Function(`return ${Handlebars.precompile(source, COMPILE_OPTIONS) as unknown as string};`)() as TemplateSpecification;
}
