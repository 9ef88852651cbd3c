/**
 * Reads a shell command line with a real parser (unbash) and lists every simple command it may
 * run, including inside pipelines, lists, subshells, `$( )`, backticks, process substitutions
 * and here-documents. Fail-closed: every node type is handled explicitly, and anything that
 * could make the shell run code the parse does not show (eval, dynamic command names, function
 * definitions, arithmetic re-evaluation, sensitive variables, parse errors) is reported as unsafe.
 *
 * Over 300 lines on purpose: the walk is one visitor whose methods recurse into each other
 * (a word holds a `$( )`, which holds statements, which hold words), and its fail-closed switch
 * over every node type is audited best in one place. The tables it consults are in
 * `shell_builtins.ts`.
 *
 * @module
 */
import {
  type AndOr,
  type ArithmeticExpression,
  type Assignment,
  type Command,
  type CommandNode,
  type CompoundList,
  parse,
  type ParsedScript,
  type PipelineNode,
  type Redirection,
  type Statement,
  type TestExpression,
  type Word,
  type WordPart,
} from "unbash";
import { isShellSensitive } from "./sensitive_env.ts";
import {
  ARITHMETIC_TEST_OPERATORS,
  DIRECTORY_BUILTINS,
  literalWord,
  NAME_ARG_BUILTINS,
  NUMERIC,
  UNSAFE_BUILTINS,
} from "./shell_builtins.ts";

/** The grammar the line will be run with: `bash -c`, or a POSIX `sh -c` (dash and friends). */
export type ShellGrammar = "bash" | "sh";

/** One simple command the line may run. */
export interface ShellCommand {
  /** Literal words up to the first one that depends on an expansion. */
  readonly argv: readonly string[];
  /** The program name as written (quotes included), e.g. `ls` or `'ls'`. */
  readonly nameText: string;
  /** The command as written, name and arguments (no assignments or redirections), space-joined. */
  readonly text: string;
  /** Whether `argv` holds every argument: `false` when one depends on an expansion or a glob. */
  readonly complete: boolean;
}

/** What {@linkcode analyzeShellLine} found. */
export interface ShellAnalysis {
  readonly commands: readonly ShellCommand[];
  /** Why the line cannot be proven safe; non-empty means refuse. */
  readonly unsafe: readonly string[];
}

/** Collects commands and reasons while walking one line's syntax tree. */
class Walker {
  readonly commands: ShellCommand[] = [];
  readonly unsafe: string[] = [];
  readonly #posix: boolean;

  constructor(grammar: ShellGrammar) {
    this.#posix = grammar === "sh";
  }

  bad(why: string): void {
    if (!this.unsafe.includes(why)) this.unsafe.push(why);
  }

  /** Under a POSIX sh, bash-only syntax is refused: dash would read the line differently. */
  bashOnly(what: string): void {
    if (this.#posix) this.bad(`bash-only syntax under a POSIX sh: ${what}`);
  }

  script(script: ParsedScript | undefined, where: string): void {
    if (script === undefined) return this.bad(`unparsed ${where}`);
    for (const error of script.errors ?? []) {
      this.bad(`parse error${where ? ` in ${where}` : ""}: ${error.message} at ${error.pos}`);
    }
    for (const statement of script.commands) this.statement(statement);
  }

  statement(statement: Statement): void {
    this.pipelineNode(statement.command);
  }

  list(list: CompoundList | undefined): void {
    for (const statement of list?.commands ?? []) this.statement(statement);
  }

  pipelineNode(node: PipelineNode | AndOr): void {
    switch (node.type) {
      case "AndOr":
        return node.commands.forEach((command) => this.pipelineNode(command));
      case "Pipeline":
        if (node.operators.includes("|&")) this.bashOnly("|&");
        return node.commands.forEach((command) => this.node(command));
      default:
        return this.node(node);
    }
  }

  node(node: CommandNode | CompoundList): void {
    switch (node.type) {
      case "Command":
        return this.simple(node);
      case "Redirected":
        this.node(node.command);
        return node.redirects.forEach((redirect) => this.redirection(redirect));
      case "Subshell":
      case "BraceGroup":
        return this.list(node.body);
      case "CompoundList":
        return this.list(node);
      case "If":
        this.list(node.clause);
        this.list(node.then);
        for (const elif of node.elif) {
          this.list(elif.clause);
          this.list(elif.then);
        }
        return this.list(node.else);
      case "While":
        this.list(node.clause);
        return this.list(node.body);
      case "Select":
        this.bashOnly("select");
        this.boundName(node.name.text, "select");
        (node.wordlist ?? []).forEach((word) => this.word(word));
        return this.list(node.body);
      case "For":
        this.boundName(node.name.text, "for");
        (node.wordlist ?? []).forEach((word) => this.word(word));
        return this.list(node.body);
      case "ArithmeticFor":
        this.bashOnly("for (( ))");
        for (const part of [node.initialize, node.test, node.update]) this.arithmetic(part);
        return this.list(node.body);
      case "ArithmeticCommand":
        this.bashOnly("(( ))");
        if (node.expression === undefined) return this.bad("unparsed (( ))");
        return this.arithmetic(node.expression);
      case "Case":
        this.word(node.word);
        for (const item of node.items) {
          item.pattern.forEach((word) => this.word(word));
          this.list(item.body);
        }
        return;
      case "Function":
        this.bad(`function definition ${JSON.stringify(node.name.text)} (may shadow commands)`);
        return this.node(node.body);
      case "Coproc":
        this.bad("coproc");
        return this.node(node.body);
      case "TestCommand":
        this.bashOnly("[[ ]]");
        return this.test(node.expression);
      default:
        return this.bad(`unhandled node ${(node as { type: string }).type}`);
    }
  }

  simple(command: Command): void {
    for (const item of command.prefix) {
      if (item.type === "Assignment") this.assignment(item);
      else this.redirection(item);
    }
    const argv: string[] = [];
    const words: (string | null)[] = [];
    const texts: string[] = [];
    let complete = true;
    if (command.name !== undefined) {
      const name = literalWord(command.name);
      this.word(command.name);
      texts.push(command.name.text);
      if (name === null) {
        this.bad(`dynamic command name: ${command.name.text}`);
        complete = false;
      } else {
        this.commandName(name);
        argv.push(name);
      }
    }
    for (const item of command.suffix) {
      if (item.type === "Word") {
        this.word(item);
        const value = literalWord(item);
        words.push(value);
        texts.push(item.text);
        if (complete && value === null) complete = false;
        if (complete && value !== null) argv.push(value);
      } else if (item.type === "Assignment") {
        // Declaration builtins such as `export A=b`.
        this.assignment(item);
        texts.push(item.text);
        const value = item.value.type === "Word" ? literalWord(item.value) : null;
        if (complete && value === null) complete = false;
        if (complete && value !== null) {
          argv.push(`${item.name}${item.append ? "+=" : "="}${value}`);
        }
      } else {
        this.redirection(item);
      }
    }
    this.nameArguments(argv[0], words);
    if (command.name !== undefined) {
      this.commands.push({ argv, nameText: command.name.text, text: texts.join(" "), complete });
    }
  }

  commandName(name: string): void {
    if (name === "") this.bad("empty command name");
    if (name.startsWith("~")) this.bad(`tilde in command name: ${name}`);
    if (UNSAFE_BUILTINS.has(name)) {
      this.bad(`shell builtin "${name}" can evaluate code or alter execution`);
    }
  }

  nameArguments(name: string | undefined, words: readonly (string | null)[]): void {
    if (name === undefined || !NAME_ARG_BUILTINS.has(name)) return;
    const needsV = name === "test" || name === "[" || name === "printf";
    // `-v` may carry its operand: `printf -vPATH`, `printf -v'a[$(id)]'`.
    if (needsV && !words.some((value) => value === null || value.startsWith("-v"))) return;
    if (words.some((value) => value === null || value.includes("["))) {
      this.bad(`"${name}" with a subscript or dynamic variable name (bash evaluates a[...])`);
    }
    // `read PATH`, `printf -v PATH`, `wait -p PATH`, `unset PATH`, `getopts x PATH` all set
    // or clear a variable named by an argument; an unset PATH makes sh search the directory.
    for (const value of words) {
      const variable = value?.replace(/^-[a-zA-Z]*[vp]/, "").replace(/[+]?=[\s\S]*$/, "");
      if (variable !== undefined && variable !== "" && isShellSensitive(variable)) {
        this.bad(`"${name}" on sensitive variable ${variable}`);
      }
    }
  }

  /** A variable the line binds by name (`for PATH in`, `${PATH:=x}`) must not be sensitive. */
  boundName(name: string, where: string): void {
    if (isShellSensitive(name)) this.bad(`${where} sets sensitive variable ${name}`);
  }

  assignment(assignment: Assignment): void {
    if (isShellSensitive(assignment.name)) {
      this.bad(`assignment to sensitive variable ${assignment.name}`);
    }
    if (assignment.index !== undefined) {
      const value = literalWord(assignment.index);
      if (value === null || !NUMERIC.test(value)) {
        this.bad(`non-constant subscript in ${assignment.text}`);
      }
      this.word(assignment.index);
    }
    const isArray = assignment.value.type === "ArrayValue";
    if (assignment.append || assignment.index !== undefined || isArray) {
      this.bashOnly(assignment.text);
    }
    if (assignment.value.type === "ArrayValue") {
      assignment.value.elements.forEach((word) => this.word(word));
    } else {
      this.word(assignment.value);
    }
  }

  redirection(redirection: Redirection): void {
    if (redirection.type === "HereDoc") {
      // A quoted delimiter leaves the body without parts: nothing in it is expanded.
      return (redirection.body.parts ?? []).forEach((part) => this.part(part));
    }
    if (redirection.type === "HereString" || redirection.operator.startsWith("&>")) {
      this.bashOnly(redirection.operator);
    }
    if (redirection.descriptor?.type === "FileDescriptorVariable") this.bad("{var} redirection");
    this.word(redirection.target);
  }

  word(word: Word | undefined): void {
    if (word === undefined) return;
    if (word.type !== "Word") return this.bad(`unexpected ${(word as Word).type} as a word`);
    (word.parts ?? []).forEach((part) => this.part(part));
  }

  part(part: WordPart): void {
    switch (part.type) {
      case "Literal":
      case "SingleQuoted":
      case "SimpleExpansion":
        return;
      case "AnsiCQuoted":
        return this.bashOnly("$'...'");
      case "Glob":
        return (part.parts ?? []).forEach((child) => this.part(child));
      case "BraceExpansion":
      case "ExtendedGlob":
        this.bashOnly(part.text);
        return (part.parts ?? []).forEach((child) => this.part(child));
      case "DoubleQuoted":
        return part.parts.forEach((child) => this.part(child));
      case "LocaleString":
        this.bashOnly('$"..."');
        return part.parts.forEach((child) => this.part(child));
      case "CommandExpansion":
        return this.script(part.script, "$( ) or backticks");
      case "ProcessSubstitution":
        this.bashOnly("process substitution");
        return this.script(part.script, `${part.operator}( )`);
      case "ArithmeticExpansion":
        if (part.expression === undefined) return this.bad("unparsed arithmetic expansion");
        return this.arithmetic(part.expression);
      case "ParameterExpansion":
        return this.parameter(part);
      default:
        return this.bad(`unhandled word part ${(part as { type: string }).type}`);
    }
  }

  parameter(part: Extract<WordPart, { type: "ParameterExpansion" }>): void {
    const index = literalWord(part.index);
    const keys = part.prefix === "!" && (index === "@" || index === "*");
    if (part.prefix === "!" && !keys && part.operation?.type !== "Names") {
      // ${!x} expands the variable x names: with x='a[$(id)]', bash evaluates the subscript.
      this.bad(`indirect expansion ${part.text}`);
    }
    if (part.index !== undefined) {
      const value = literalWord(part.index);
      if (value === null || !(NUMERIC.test(value) || value === "@" || value === "*")) {
        this.bad(`non-constant array subscript in ${part.text}`);
      }
      this.word(part.index);
    }
    const operation = part.operation;
    if (operation === undefined) return;
    switch (operation.type) {
      case "Default":
        if (operation.operator.includes("=")) this.boundName(part.parameter, part.text);
        return this.word(operation.operand);
      case "Remove":
        return this.word(operation.operand);
      case "Transform":
        if (/[PAK]/.test(literalWord(operation.operand) ?? "P")) {
          this.bad(`\${...@P/A/K} transform in ${part.text}`);
        }
        return this.word(operation.operand);
      case "CaseModification":
        return this.word(operation.operand);
      case "Replace":
        this.word(operation.pattern);
        return this.word(operation.replacement);
      case "Slice":
        for (const bound of [operation.offset, operation.length]) {
          if (bound === undefined) continue;
          const value = literalWord(bound);
          if (value === null || !/^\s*-?\s*\d+\s*$/.test(value)) {
            this.bad(`non-constant slice in ${part.text}`);
          }
          this.word(bound);
        }
        return;
      case "Names":
        return;
      default:
        return this.bad(`unhandled parameter operation in ${part.text}`);
    }
  }

  arithmetic(expression: ArithmeticExpression | undefined): void {
    if (expression === undefined) return;
    switch (expression.type) {
      case "ArithmeticWord":
        // bash re-evaluates a variable's value as arithmetic: x='a[$(id)]'; $((x)) runs id.
        if (!NUMERIC.test(expression.value)) {
          this.bad(`arithmetic on non-constant ${JSON.stringify(expression.value)}`);
        }
        return (expression.parts ?? []).forEach((part) => this.part(part));
      case "ArithmeticBinary":
        this.arithmetic(expression.left);
        return this.arithmetic(expression.right);
      case "ArithmeticUnary":
        return this.arithmetic(expression.operand);
      case "ArithmeticTernary":
        this.arithmetic(expression.test);
        this.arithmetic(expression.consequent);
        return this.arithmetic(expression.alternate);
      case "ArithmeticGroup":
        return this.arithmetic(expression.expression);
      case "ArithmeticCommandExpansion":
        this.bad("command substitution in arithmetic");
        return this.script(expression.script, "$( )");
      default:
        return this.bad(`unhandled arithmetic node ${(expression as { type: string }).type}`);
    }
  }

  test(expression: TestExpression): void {
    switch (expression.type) {
      case "TestUnary":
        if (expression.operator === "-v" || expression.operator === "-R") {
          this.bad(`[[ ${expression.operator} ]] evaluates subscripts`);
        }
        return this.word(expression.operand);
      case "TestBinary":
        if (ARITHMETIC_TEST_OPERATORS.has(expression.operator)) {
          for (const side of [expression.left, expression.right]) {
            const value = literalWord(side);
            if (value === null || !NUMERIC.test(value.trim())) {
              this.bad(`[[ ${expression.operator} ]] on a non-constant (arithmetic evaluation)`);
            }
          }
        }
        this.word(expression.left);
        return this.word(expression.right);
      case "TestLogical":
        return expression.operands.forEach((operand) => this.test(operand));
      case "TestNot":
        return this.test(expression.operand);
      case "TestGroup":
        return this.test(expression.expression);
      default:
        return this.bad(`unhandled test node ${(expression as { type: string }).type}`);
    }
  }
}

/**
 * Lists every simple command `line` may run under `grammar`, and why it cannot be proven safe.
 *
 * @example Usage
 * ```ts
 * import { analyzeShellLine } from "./shell_walker.ts";
 * import assert from "node:assert/strict";
 * const { commands, unsafe } = analyzeShellLine("ls -l | wc -l && echo $(id -u)");
 * assert.deepEqual(commands.map((command) => command.argv[0]), ["ls", "wc", "id", "echo"]);
 * assert.deepEqual(unsafe, []);
 * assert.notDeepEqual(analyzeShellLine("eval rm x").unsafe, []);
 * ```
 */
export function analyzeShellLine(line: string, grammar: ShellGrammar = "bash"): ShellAnalysis {
  const walker = new Walker(grammar);
  try {
    walker.script(parse(line), "");
  } catch (error) {
    walker.bad(`parser failure: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A relative program path is checked against the job's directory; after `cd` the shell
  // would run a different file (`cd sub && ./build.sh` runs sub/build.sh).
  const names = walker.commands.map((command) => command.argv[0] ?? "");
  const relative = names.find((name) => name.includes("/") && !name.startsWith("/"));
  const changesDirectory = names.find((name) => DIRECTORY_BUILTINS.has(name));
  if (relative !== undefined && changesDirectory !== undefined) {
    walker.bad(`relative program path ${relative} in a line that runs ${changesDirectory}`);
  }
  return { commands: walker.commands, unsafe: walker.unsafe };
}
