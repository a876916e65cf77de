import { meant } from '../../core/config/suggest.js';
import type { Command } from 'commander';
import { ZmartError } from '../../core/errors.js';
import type { Output } from '../output.js';

/** What a command's positional argument completes to. */
export type ArgKind = 'service' | 'signal' | 'target' | 'shell' | 'file' | 'none';

/** One command as completion needs it, read off the CLI's own definitions (cli/main.ts). */
export interface CommandSpec {
  names: string[];
  options: Array<{ long: string | null; short: string | null; takesValue: boolean }>;
  /** Its positional arguments in order; a repeating last one (`service...`) repeats. */
  args: ArgKind[];
  repeats: boolean;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
const CHOICES: Partial<Record<ArgKind, string>> = {
  signal: 'HUP INT QUIT TERM USR1 USR2 TTIN TTOU WINCH CONT',
  target: 'systemd compose kubernetes',
  shell: SHELLS.join(' '),
};

/** An argument's kind from its name in the CLI's definition. */
export function argKind(name: string): ArgKind {
  if (name === 'service') return 'service';
  if (name === 'signal' || name === 'target' || name === 'shell' || name === 'file') return name;
  return 'none';
}

/**
 * `zmart completion bash|zsh|fish`: a script that completes commands, flags, and service names
 * (asked of `zmart completion --services` as you type, so that they follow the config found from
 * the current folder, or the one `--config` names).
 */
export function completion(shell: string | undefined, commands: CommandSpec[], out: Output): number {
  if (!shell) throw new ZmartError('ZMART_USAGE', `zmart completion: which shell? (${SHELLS.join(', ')})`);
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new ZmartError('ZMART_USAGE', `zmart completion ${shell}: unknown shell${meant(shell, SHELLS)} (known: ${SHELLS.join(', ')})`);
  out.line(shell === 'fish' ? fishScript(commands) : bashScript(commands, shell === 'zsh'));
  return 0;
}

/** The CLI's visible commands, their flags and arguments, as commander holds them. */
export function specOf(program: Command): CommandSpec[] {
  const help = program.createHelp();
  return help.visibleCommands(program).map((c) => {
    const args = c.registeredArguments;
    return {
      names: [c.name(), ...c.aliases()],
      options: help.visibleOptions(c).map((o) => ({ long: o.long ?? null, short: o.short ?? null, takesValue: o.required || o.optional })),
      args: args.map((a) => argKind(a.name())),
      repeats: args.at(-1)?.variadic ?? false,
    };
  });
}

/** What the scripts ask as you type: the services of the config found from here (or `--config`), replicas too, one per line. */
export async function printServices(configPath: string | undefined, out: Output): Promise<number> {
  const [{ loadConfig }, { builtinPlugins }] = await Promise.all([import('../../core/config/load.js'), import('../builtins.js')]);
  const config = await loadConfig({ configPath, builtins: builtinPlugins });
  const names = new Set(config.services.flatMap((s) => [s.group, s.name]));
  for (const name of names) out.line(name);
  return 0;
}

/** Single-quoted for sh: nothing inside is expanded. */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * bash's script, which zsh runs too through its bashcompinit (as npm's completion does): the
 * word being typed is matched against the command's flags, a flag's value (files for
 * --config), or its next positional argument.
 */
function bashScript(commands: CommandSpec[], zsh: boolean): string {
  const names = commands.flatMap((c) => c.names).join(' ');
  const flagsOf = (c: CommandSpec) => c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== null));
  const valuedOf = (c: CommandSpec) => c.options.filter((o) => o.takesValue).flatMap((o) => [o.long, o.short].filter((f): f is string => f !== null));
  const cases = commands
    .map(
      (c) =>
        `    ${c.names.join('|')}) flags=${sq(flagsOf(c).join(' '))}; valued=${sq(valuedOf(c).join(' '))}; kinds=(${c.args.join(' ')}); repeats=${c.repeats ? 1 : 0} ;;`,
    )
    .join('\n');
  const choices = Object.entries(CHOICES)
    .map(([kind, words]) => `    ${kind}) COMPREPLY=($(compgen -W ${sq(words)} -- "$cur")) ;;`)
    .join('\n');
  return `# zmart completion for ${zsh ? 'zsh' : 'bash'}: add to ~/.${zsh ? 'zshrc' : 'bashrc'}: source <(zmart completion ${zsh ? 'zsh' : 'bash'})
${zsh ? '(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }\nautoload -U +X bashcompinit && bashcompinit\n' : ''}_zmart() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local flags='' valued='' repeats=0 kind=none config='' pos=0 i=2 word v
  local -a kinds=()
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${sq(names)} -- "$cur"))
    return 0
  fi
  case "$cmd" in
${cases}
    *) return 0 ;;
  esac
  # the value of a flag being typed: files for --config and --out, nothing for the others
  for v in $valued; do
    if [ "$prev" = "$v" ]; then
      case "$v" in -c|--config|-o|--out) COMPREPLY=($(compgen -f -- "$cur")) ;; esac
      return 0
    fi
  done
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$flags" -- "$cur")); return 0 ;;
  esac
  # which positional argument is being typed (a flag's value is none), and a --config given before it
  while [ "$i" -lt "$COMP_CWORD" ]; do
    word=\${COMP_WORDS[i]}
    i=$((i + 1))
    case "$word" in
      -c|--config) config=\${COMP_WORDS[i]}; i=$((i + 1)) ;;
      -*) for v in $valued; do [ "$word" = "$v" ] && i=$((i + 1)); done ;;
      *) pos=$((pos + 1)) ;;
    esac
  done
  if [ "$pos" -lt "\${#kinds[@]}" ]; then kind=\${kinds[pos]}
  elif [ "$repeats" = 1 ] && [ "\${#kinds[@]}" -gt 0 ]; then kind=\${kinds[\${#kinds[@]}-1]}
  fi
  case "$kind" in
    service) COMPREPLY=($(compgen -W "$(zmart completion --services \${config:+--config "$config"} 2>/dev/null)" -- "$cur")) ;;
    file) COMPREPLY=($(compgen -f -- "$cur")) ;;
${choices}
  esac
  return 0
}
complete -F _zmart zmart`;
}

/** fish's script: one `complete` line per command, flag and argument kind. */
function fishScript(commands: CommandSpec[]): string {
  const lines = ['# zmart completion for fish: zmart completion fish > ~/.config/fish/completions/zmart.fish', 'complete -c zmart -f'];
  const all = commands.flatMap((c) => c.names);
  lines.push(`complete -c zmart -n ${sq(`not __fish_seen_subcommand_from ${all.join(' ')}`)} -a ${sq(all.join(' '))}`);
  // how many positional arguments the command has before the word typed (a flag's value is none)
  const valued = [...new Set(commands.flatMap((c) => c.options.filter((o) => o.takesValue).flatMap((o) => [o.long, o.short])))].filter(Boolean);
  lines.push(`function __zmart_pos --argument-names n more
  set -l words (commandline -opc)
  set -l count 0
  set -l skip 0
  for w in $words[3..-1]
    if test $skip = 1
      set skip 0
      continue
    end
    switch $w
      case ${valued.join(' ')}
        set skip 1
      case '-*'
      case '*'
        set count (math $count + 1)
    end
  end
  test $count -eq $n; or begin; test -n "$more"; and test $count -gt $n; end
end`);
  // the services of the config a --config on the line names, else the one found from here
  lines.push(`function __zmart_services
  set -l words (commandline -opc)
  set -l i (contains -i -- --config $words; or contains -i -- -c $words)
  if test -n "$i"; and test (count $words) -gt $i
    zmart completion --services --config $words[(math $i + 1)] 2>/dev/null
  else
    zmart completion --services 2>/dev/null
  end
end`);
  for (const c of commands) {
    const when = sq(`__fish_seen_subcommand_from ${c.names.join(' ')}`);
    for (const o of c.options) {
      const named = [o.long && `-l ${o.long.slice(2)}`, o.short && `-s ${o.short.slice(1)}`].filter(Boolean).join(' ');
      const value = !o.takesValue ? '' : o.long === '--config' || o.long === '--out' ? ' -r -F' : ' -x';
      lines.push(`complete -c zmart -n ${when} ${named}${value}`);
    }
    c.args.forEach((kind, i) => {
      // the argument at its place: `signal SERVICE SIGNAL` offers signals only second
      const at = sq(`__fish_seen_subcommand_from ${c.names.join(' ')}; and __zmart_pos ${i}${c.repeats && i === c.args.length - 1 ? ' more' : ''}`);
      if (kind === 'service') lines.push(`complete -c zmart -n ${at} -a '(__zmart_services)'`);
      else if (kind === 'file') lines.push(`complete -c zmart -n ${at} -F`);
      else if (kind !== 'none') lines.push(`complete -c zmart -n ${at} -a ${sq(CHOICES[kind]!)}`);
    });
  }
  return lines.join('\n');
}
