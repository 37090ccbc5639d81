/**
 * Shell completion scripts generated from the commander program tree: every command and
 * alias, each command's options (and the global ones), and the choices of an option that
 * has them (`-o json|yaml|wide`). bash uses `complete -F`; zsh loads the same function
 * through its bashcompinit.
 */
import type { Command, Option } from 'commander';

interface Node {
  /** the canonical path, e.g. "models files ls" ("" for the program) */
  path: string;
  /** the spellings that reach it from its parent: its name and aliases */
  spellings: string[];
  words: string[];
  choices: { flags: string[]; values: string[] }[];
}

const flagsOf = (o: Option): string[] => [o.short, o.long].filter((f): f is string => Boolean(f));

function walk(cmd: Command, path: string, globals: Option[], out: Node[]): void {
  const help = cmd.createHelp();
  const subs = help.visibleCommands(cmd);
  const options = [...help.visibleOptions(cmd), ...(path ? globals : [])];
  const words = [...subs.flatMap((c) => [c.name(), ...c.aliases()]), ...options.flatMap(flagsOf)];
  const choices = options.filter((o) => o.argChoices?.length).map((o) => ({ flags: flagsOf(o), values: o.argChoices! }));
  out.push({ path, spellings: [cmd.name(), ...cmd.aliases()], words: [...new Set(words)], choices });
  for (const c of subs) walk(c, path ? `${path} ${c.name()}` : c.name(), globals, out);
}

function tree(program: Command): Node[] {
  const nodes: Node[] = [];
  walk(
    program,
    '',
    program.options.filter((o) => !o.hidden),
    nodes,
  );
  return nodes;
}

const fn = (name: string) => `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

export function bashCompletion(program: Command): string {
  const name = program.name();
  const f = fn(name);
  const nodes = tree(program);
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  // "parent<TAB>spelling" → canonical child path
  const steps = nodes
    .filter((n) => n.path)
    .flatMap((n) => {
      const parent = n.path.split(' ').slice(0, -1).join(' ');
      return n.spellings.map((s) => `    "${parent}|${s}") echo "${n.path}" ;;`);
    });
  const words = [...byPath.values()].map((n) => `    "${n.path}") echo "${n.words.join(' ')}" ;;`);
  const choices = nodes.flatMap((n) => n.choices.map((c) => `    ${c.flags.map((fl) => `"${n.path}|${fl}"`).join('|')}) echo "${c.values.join(' ')}" ;;`));
  return `# ${name} completion for bash: source <(${name} completion bash)
${f}_step() {
  case "$1|$2" in
${steps.join('\n')}
  esac
}
${f}_words() {
  case "$1" in
${words.join('\n')}
  esac
}
${f}_choices() {
  case "$1|$2" in
${choices.join('\n')}
  esac
}
${f}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" next w i
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    next="$(${f}_step "$path" "$w")"
    [[ -n "$next" ]] && path="$next"
  done
  local values
  values="$(${f}_choices "$path" "$prev")"
  if [[ -n "$values" ]]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${f}_words "$path")" -- "$cur"))
  fi
}
complete -F ${f} ${name}
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef ${program.name()}
# ${program.name()} completion for zsh: source <(${program.name()} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}
