// The one argument parser of every command (cli/args.ts) and the help answers (cli/run.ts), in
// process: flags from usage.ts's tables, `--flag=value`, refusals in our words with the synopsis.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import {
  parseAirbyteArgs,
  parseCommandLine,
  parseDemoArgs,
  parseQueryArgs,
  parseSyncArgs,
  USAGE,
} from "../../src/cli/args.js";
import { run } from "../../src/cli/run.js";
import { commandHelp, commandSynopsis, overview, synopsis, type Command } from "../../src/cli/usage.js";
import { WIDTH } from "../../src/local/terminal.js";

class Text extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Asserts that `parse` fails with exactly `problem`, then the synopsis of `command`. */
function refuses(command: Command, parse: () => unknown, problem: string): void {
  assert.throws(parse, (err: Error) => {
    assert.equal(err.name, "ConfigError");
    assert.equal(err.message, `${problem}.\n${commandSynopsis(command)}`);
    return true;
  });
}

test("flags as `--flag VALUE` and `--flag=VALUE`; a flag given twice only with the same value", () => {
  assert.deepEqual(
    parseAirbyteArgs("read", ["--config", "c.json", "--catalog=k.json", "--state", "s.json"]),
    new Map([
      ["--config", "c.json"],
      ["--catalog", "k.json"],
      ["--state", "s.json"],
    ]),
  );
  assert.deepEqual(parseAirbyteArgs("check", ["--config=a=b.json"]), new Map([["--config", "a=b.json"]]));
  assert.deepEqual(parseAirbyteArgs("check", ["--config", "a", "--config=a"]), new Map([["--config", "a"]]));
  refuses(
    "check",
    () => parseAirbyteArgs("check", ["--config", "a", "--config", "b"]),
    '--config is given twice ("a" and "b"); give it once',
  );
  refuses(
    "sync",
    () => parseSyncArgs(["--region", "r", "--database", "a.duckdb", "--database=b.duckdb"]),
    '--database is given twice ("a.duckdb" and "b.duckdb"); give it once',
  );
  assert.equal(
    parseSyncArgs(["--region", "r", "--follow", "--follow"]).followSeconds,
    60,
    "a switch twice is harmless",
  );
  // The value after a flag is its value, whatever it looks like.
  assert.deepEqual(parseAirbyteArgs("check", ["--config", "-"]), new Map([["--config", "-"]]));
  assert.deepEqual(parseAirbyteArgs("check", ["--config", "--x"]), new Map([["--config", "--x"]]));
  assert.deepEqual(parseAirbyteArgs("spec", []), new Map());
});

test("a flag or argument the command does not take is refused, named", () => {
  refuses(
    "read",
    () => parseAirbyteArgs("read", ["--config", "c", "--catalog", "k", "--verbose"]),
    'read does not take "--verbose"',
  );
  refuses("spec", () => parseAirbyteArgs("spec", ["--config", "c"]), 'spec does not take "--config"');
  refuses("discover", () => parseAirbyteArgs("discover", ["--catalog=k"]), 'discover does not take "--catalog"');
  refuses("check", () => parseAirbyteArgs("check", ["--config", "c", "extra"]), 'check does not take "extra"');
  refuses("check", () => parseAirbyteArgs("check", ["-x"]), 'check does not take "-x"');
  refuses("check", () => parseAirbyteArgs("check", ["-abc"]), 'check does not take "-abc"');
  refuses("check", () => parseAirbyteArgs("check", ["--config", "c", "--"]), 'check does not take "--"');
  refuses("sync", () => parseSyncArgs(["--config", "c", "--Config", "d"]), 'sync does not take "--Config"');
  refuses("demo", () => parseDemoArgs(["extra"]), 'demo does not take "extra"');
  refuses("query", () => parseQueryArgs(["SELECT 1", "--verbose=1"]), 'query does not take "--verbose"');
});

test("a flag without its value, a switch with one, a required flag missing", () => {
  refuses("check", () => parseAirbyteArgs("check", ["--config"]), "--config needs a file path");
  refuses("check", () => parseAirbyteArgs("check", ["--config="]), "--config needs a file path");
  refuses("check", () => parseAirbyteArgs("check", ["--config", ""]), "--config needs a file path");
  refuses(
    "read",
    () => parseAirbyteArgs("read", ["--config", "c", "--catalog", "k", "--state"]),
    "--state needs a file path",
  );
  refuses("sync", () => parseSyncArgs(["--config"]), "--config needs a value");
  refuses("demo", () => parseDemoArgs(["--database="]), "--database needs a value");
  refuses("query", () => parseQueryArgs(["--tables=yes"]), "--tables takes no value");
  refuses("check", () => parseAirbyteArgs("check", []), "check needs --config FILE");
  refuses("read", () => parseAirbyteArgs("read", ["--config", "c"]), "read needs --catalog FILE");
  refuses(
    "sync",
    () => parseSyncArgs(["--streams", "a", "--prefix", "/x/"]),
    "sync needs --region REGION (with --profile, --prefix, --since as needed), or --config FILE",
  );
  refuses("sync", () => parseSyncArgs(["--region"]), "--region needs a value");
  refuses(
    "sync",
    () => parseSyncArgs(["--config", "c", "--streams", " , ,"]),
    '--streams names no stream; give stream names separated by commas, e.g. --streams "/aws/lambda/a,/ecs/b"',
  );
  // parseArgs would take the next flag as the value, and then refuse what follows it instead.
  refuses(
    "sync",
    () => parseSyncArgs(["--region", "--prefix", "/a/"]),
    "--region needs a value (it is followed by --prefix; a value like that goes as --region=VALUE)",
  );
  refuses(
    "read",
    () => parseAirbyteArgs("read", ["--config", "--catalog", "k"]),
    "--config needs a file path (it is followed by --catalog; a value like that goes as --config=VALUE)",
  );
  assert.equal(parseSyncArgs(["--region=us-east-1", "--prefix=--since"]).settings["--prefix"], "--since");
  refuses("sync", () => parseSyncArgs(["--region", "us-east-1", "--since="]), "--since needs a value");
});

test("query: SQL that starts like a flag is SQL; flags after `--` are still flags", () => {
  assert.deepEqual(parseCommandLine("query", ["-- why\nSELECT 1=1", "-1", "--format=csv"]), {
    flags: new Map([["--format", "csv"]]),
    operands: ["-- why\nSELECT 1=1", "-1"],
  });
  assert.deepEqual(parseCommandLine("query", ["-abc", "--", "--tables", "--database", "x.duckdb"]), {
    flags: new Map([
      ["--tables", ""],
      ["--database", "x.duckdb"],
    ]),
    operands: ["-abc", "--"],
  });
  assert.deepEqual(parseQueryArgs(["SELECT 1"]), {
    kind: "sql",
    database: "./cloudwatch-logs.duckdb",
    sql: "SELECT 1",
    format: "table",
  });
  refuses(
    "query",
    () => parseQueryArgs(["SELECT 1", "--format", "xml"]),
    '--format must be table, csv or json (got "xml")',
  );
  refuses("query", () => parseQueryArgs(["--tables", "--format", "xml"]), "--tables takes no SQL and no --format");
  refuses("query", () => parseQueryArgs([" "]), "query needs an SQL statement (in quotes), or --tables");
});

test("sync and demo: defaults, choices and the flags that go together", () => {
  assert.deepEqual(parseSyncArgs(["--config", "c.json"]), {
    configPath: "c.json",
    format: "duckdb",
    target: "./cloudwatch-logs.duckdb",
    streams: undefined,
    settings: {},
  });
  assert.deepEqual(parseSyncArgs(["--config=c.json", "--format=jsonl", "--streams", " a, ,b "]), {
    configPath: "c.json",
    format: "jsonl",
    target: "./cloudwatch-logs-jsonl",
    streams: ["a", "b"],
    settings: {},
  });
  // Without a file: the region, and the other settings the flags give.
  assert.deepEqual(parseSyncArgs(["--region", "eu-west-1", "--profile=prod", "--prefix", "/ecs/", "--since", "2h"]), {
    configPath: undefined,
    format: "duckdb",
    target: "./cloudwatch-logs.duckdb",
    streams: undefined,
    settings: { "--region": "eu-west-1", "--profile": "prod", "--prefix": "/ecs/", "--since": "2h" },
  });
  assert.deepEqual(parseSyncArgs(["--config", "c.json", "--since", "7d"]).settings, { "--since": "7d" });
  refuses(
    "sync",
    () => parseSyncArgs(["--config", "c", "--format", "xml"]),
    '--format must be duckdb or jsonl (got "xml")',
  );
  refuses(
    "sync",
    () => parseSyncArgs(["--config", "c", "--format", "jsonl", "--database", "x"]),
    "--database is for --format duckdb; use --output DIR with jsonl",
  );
  refuses(
    "sync",
    () => parseSyncArgs(["--config", "c", "--output", "x"]),
    "--output is for --format jsonl; use --database FILE with duckdb",
  );
  assert.deepEqual(parseDemoArgs([]), { database: "./demo.duckdb" });
  assert.deepEqual(parseDemoArgs(["--database", "d.duckdb"]), { database: "d.duckdb" });
});

test("sync --follow: the interval's default, its bounds, and --interval only with --follow", () => {
  const base = {
    configPath: "c",
    format: "duckdb",
    target: "./cloudwatch-logs.duckdb",
    streams: undefined,
    settings: {},
  };
  assert.deepEqual(parseSyncArgs(["--config", "c", "--follow"]), { ...base, followSeconds: 60 });
  assert.deepEqual(parseSyncArgs(["--config", "c", "--follow", "--interval=1.5"]), { ...base, followSeconds: 1.5 });
  assert.deepEqual(parseSyncArgs(["--config", "c", "--interval", "604800", "--follow"]), {
    ...base,
    followSeconds: 604800,
  });
  refuses(
    "sync",
    () => parseSyncArgs(["--config", "c", "--interval", "5"]),
    "--interval is for --follow: add --follow, or leave --interval out",
  );
  // Number() would take 0x10, 1e2, +5 and the padded ones: not what a person means by seconds.
  for (const bad of [
    "0",
    "0.5",
    "-3",
    "abc",
    " ",
    "604801",
    "Infinity",
    "NaN",
    "0x10",
    "1e2",
    " 5",
    "5 ",
    "+5",
    "5.",
  ]) {
    refuses(
      "sync",
      () => parseSyncArgs(["--config", "c", "--follow", `--interval=${bad}`]),
      `--interval must be a number of seconds from 1 to 604800, e.g. --interval 60 (got ${JSON.stringify(bad)})`,
    );
  }
  refuses("sync", () => parseSyncArgs(["--config", "c", "--follow=yes"]), "--follow takes no value");
});

test("help: --help, -h, help COMMAND and COMMAND --help print the help; an unknown command does not", async () => {
  const ask = async (argv: string[]) => {
    const stdout = new Text();
    const stderr = new Text();
    const code = await run(argv, { stdout, stderr });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
  for (const argv of [["--help"], ["-h"], ["help"]]) {
    assert.deepEqual(await ask(argv), { code: 0, stdout: overview(), stderr: "" }, argv.join(" "));
  }
  for (const argv of [
    ["sync", "--help"],
    ["help", "sync"],
    ["sync", "--bogus", "-h"],
  ]) {
    assert.deepEqual(await ask(argv), { code: 0, stdout: commandHelp("sync"), stderr: "" }, argv.join(" "));
  }
  assert.deepEqual(await ask([]), { code: 2, stdout: "", stderr: overview() });
  assert.deepEqual(await ask(["help", "nope"]), {
    code: 2,
    stdout: "",
    stderr: `Unknown command "nope".\n${synopsis()}\n`,
  });
  const local = await ask(["query", "SELECT 1", "--verbose"]);
  assert.deepEqual(local, {
    code: 1,
    stdout: "",
    stderr: `source-cloudwatch-logs query: query does not take "--verbose".\n${commandSynopsis("query")}\n`,
  });
  for (const text of [overview(), commandHelp("sync"), commandHelp("query"), USAGE, commandSynopsis("sync")]) {
    for (const line of text.split("\n")) assert.ok(line.length <= WIDTH, `wider than ${WIDTH}: ${line}`);
  }
  // On a narrower terminal, help fits its width (the terminal would cut words at its edge).
  for (const width of [40, 60]) {
    const terminal = () => Object.assign(new Text(), { isTTY: true, columns: width });
    const stdout = terminal();
    assert.equal(await run(["sync", "--help"], { stdout, stderr: terminal() }), 0);
    assert.equal(stdout.text, commandHelp("sync", width));
    const all: Command[] = ["spec", "check", "discover", "read", "sync", "demo", "query"];
    const texts = [overview(width), ...all.map((c) => commandHelp(c, width))];
    for (const line of texts.join("\n").split("\n")) {
      assert.ok(line.length <= width, `wider than ${width}: ${line}`);
    }
  }
  // At 30 columns only a word longer than the line is wider (a default path, the program's name).
  const all30 = [overview(30), ...(["sync", "query", "read"] as const).map((c) => commandHelp(c, 30))];
  for (const line of all30.join("\n").split("\n")) {
    const words = line
      .trim()
      .split(" ")
      .filter((w) => w !== "\\");
    assert.ok(line.length <= 30 || words.length === 1, `wider than 30: ${line}`);
  }
  assert.match(overview(), /^source-cloudwatch-logs <command> --help {3}a command's flags and an example$/m);
  assert.match(overview(30), /^source-cloudwatch-logs\n {2}--version\n {4}the version$/m);
});
