/**
 * Env-file syntax (src/compose/dotenv.ts). Most cases restate compose-go's `dotenv/godotenv_test.go`,
 * `parser_test.go` and `godotenv_var_expansion_test.go` (v2.13.0) in our own words.
 */
import { DotenvError, parseDotenv } from "../../src/compose/dotenv";
import { RequiredVariableError } from "../../src/compose/interpolate";

type Vars = Record<string, string>;

function lookupIn(vars: Vars) {
  return (name: string): string | undefined =>
    Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
}

/** Parses `text` with `env` as the lookup and compares every entry. */
function expectDotenv(text: string, expected: Vars, env: Vars = {}): void {
  expect(Object.fromEntries(parseDotenv(text, lookupIn(env)))).toEqual(expected);
}

function expectDotenvError(text: string, message: string, env: Vars = {}): DotenvError {
  let error: unknown;
  try {
    parseDotenv(text, lookupIn(env));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DotenvError);
  expect((error as DotenvError).message).toBe(message);
  return error as DotenvError;
}

describe("statements", () => {
  test("KEY=value and KEY: value", () => {
    expectDotenv("FOO=bar", { FOO: "bar" });
    expectDotenv("FOO =bar", { FOO: "bar" });
    expectDotenv("FOO= bar", { FOO: "bar" });
    expectDotenv("OPTION_A: 1", { OPTION_A: "1" });
    expectDotenv("OPTION_A: Foo=bar", { OPTION_A: "Foo=bar" });
    expectDotenv("OPTION_A=1:B", { OPTION_A: "1:B" });
    expectDotenv("OPTION_A=postgres://localhost:5432/database?sslmode=disable", {
      OPTION_A: "postgres://localhost:5432/database?sslmode=disable",
    });
    expectDotenv("FOO=foobar=", { FOO: "foobar=" });
    expectDotenv("ONE=1\nTWO='2'\nTHREE = \"3\"", { ONE: "1", TWO: "2", THREE: "3" });
  });

  test("an empty value is set and empty", () => {
    expectDotenv("KEY=", { KEY: "" });
    expectDotenv("KEY=\nB=2", { KEY: "", B: "2" });
    expectDotenv("KEY=''\nK2=\"\"", { KEY: "", K2: "" });
  });

  test("leading whitespace, blank lines and comments are skipped", () => {
    expectDotenv(" KEY =value", { KEY: "value" });
    expectDotenv("   KEY=value", { KEY: "value" });
    expectDotenv("\tKEY=value", { KEY: "value" });
    expectDotenv("\n", {});
    expectDotenv("\r\n", {});
    expectDotenv("\t\t ", {});
    expectDotenv("# Comment", {});
    expectDotenv("\t # comment", {});
    expectDotenv("# one\n\n  # two\nA=1\n#B=2\n", { A: "1" });
  });

  test("a UTF-8 BOM is skipped and CRLF line endings are accepted", () => {
    expectDotenv("\uFEFFOPTION_A=1\nOPTION_B=2", { OPTION_A: "1", OPTION_B: "2" });
    expectDotenv("A=1\r\nB='2'\r\nC=\"3\"\r\nD\r\n", { A: "1", B: "2", C: "3", D: "4" }, { D: "4" });
  });

  test("entries come in file order and a later duplicate overrides the value", () => {
    const parsed = parseDotenv("A=1\nB=2\nA=3\n", lookupIn({}));
    expect([...parsed]).toEqual([
      ["A", "3"],
      ["B", "2"],
    ]);
  });
});

describe("export prefix", () => {
  test("export followed by whitespace is dropped", () => {
    expectDotenv("export OPTION_A=2", { OPTION_A: "2" });
    expectDotenv("export\tOPTION_A=2", { OPTION_A: "2" });
    expectDotenv("  export OPTION_A=2", { OPTION_A: "2" });
    expectDotenv("\texport OPTION_A=2", { OPTION_A: "2" });
    expectDotenv("export OPTION_B='\\n'", { OPTION_B: "\\n" });
    expectDotenv('export OPTION_A="export A"', { OPTION_A: "export A" });
    expectDotenv("export exportFoo=2", { exportFoo: "2" });
  });

  test("export without whitespace is part of the key", () => {
    expectDotenv("exportFOO=2", { exportFOO: "2" });
    expectDotenv("export_FOO =2", { export_FOO: "2" });
    expectDotenv("export.FOO= 2", { "export.FOO": "2" });
  });

  test("export with nothing after it", () => {
    expectDotenv("export\nFOO=1", { FOO: "1" });
    expectDotenvError("export  ", "line 1: zero length string");
  });
});

describe("keys", () => {
  test("letters and digits of any script, and _ . - [ ]", () => {
    expectDotenv("FOO.BAR=foobar", { "FOO.BAR": "foobar" });
    expectDotenv("VAR-WITH-DASHES=dashes\nVAR.WITH.DOTS=dots\nVAR_WITH_UNDERSCORES=underscores", {
      "VAR-WITH-DASHES": "dashes",
      "VAR.WITH.DOTS": "dots",
      VAR_WITH_UNDERSCORES: "underscores",
    });
    expectDotenv("\na=b\na[1]=c\na.propertyKey=d\nárvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép\n", {
      a: "b",
      "a[1]": "c",
      "a.propertyKey": "d",
      "árvíztűrő-TÜKÖRFÚRÓGÉP": "ÁRVÍZTŰRŐ-tükörfúrógép",
    });
    expectDotenv("1A=x", { "1A": "x" }); // the Compose path keeps keys that start with a digit
  });

  test("an empty key is allowed", () => {
    expectDotenv('="value"', { "": "value" });
  });

  test("other characters are errors that show the character, not the line (compose-go shows the line)", () => {
    expectDotenvError("lol$wut", 'line 1: unexpected character "$" in variable name');
    expectDotenvError("%!(EXTRA string)=foo", 'line 1: unexpected character "%" in variable name');
    const error = expectDotenvError("A=1\n\nFO%O=bar\nB=2", 'line 3: unexpected character "%" in variable name');
    expect(error.offset).toBe(7);
    expectDotenvError('export FO"O=1', 'line 1: unexpected character "\\"" in variable name');
  });

  test("a space inside a key is an error, other blanks are not", () => {
    expectDotenvError("A=1\nB=2\nC=3\nD=4\nE=5\nF=6\nINVALID LINE=foo\n", "line 7: key cannot contain a space");
    expectDotenvError("FOO BAR\n", "line 1: key cannot contain a space");
    expectDotenv("A\tB=1", { "A\tB": "1" });
  });
});

describe("bare keys", () => {
  test("a key alone on its line inherits from the lookup, or is left out", () => {
    expectDotenv(
      "VAR_TO_BE_LOADED_FROM_OS_ENV\n",
      { VAR_TO_BE_LOADED_FROM_OS_ENV: "SOME_RANDOM_VALUE" },
      { VAR_TO_BE_LOADED_FROM_OS_ENV: "SOME_RANDOM_VALUE" },
    );
    expectDotenv("foo=bar\nVARIABLE_NOT_FOUND\nbar=baz\n", { foo: "bar", bar: "baz" });
    expectDotenv("A=1\nA\n", { A: "1" });
  });

  test("a last line with no separator and no newline is the value of the empty key", () => {
    expectDotenv("A=1\nFOO", { A: "1", "": "FOO" }, { FOO: "ignored" });
    expectDotenv("FOO BAR", { "": "FOO BAR" });
  });
});

describe("unquoted values", () => {
  test("run to the end of the line, right-trimmed, backslashes kept", () => {
    expectDotenv("FOO=bar ", { FOO: "bar" });
    expectDotenv("FOO=a\\tb", { FOO: "a\\tb" });
    expectDotenv("FOO=some value\nB=2", { FOO: "some value", B: "2" });
  });

  test("are cut at the first space-hash", () => {
    expectDotenv("FOO=bar # this is foo", { FOO: "bar" });
    expectDotenv("FOO=bar #this is foo", { FOO: "bar" });
    expectDotenv("FOO=bar #", { FOO: "bar" });
    expectDotenv("FOO=123#not-an-inline-comment", { FOO: "123#not-an-inline-comment" });
    expectDotenv("FOO=b\t#c", { FOO: "b\t#c" });
    expectDotenv("FOO= #x", { FOO: "#x" }); // the space after `=` is skipped before the cut
  });
});

describe("single-quoted values", () => {
  test("are literal, may span lines, and \\' is a quote", () => {
    expectDotenv("FOO='bar'", { FOO: "bar" });
    expectDotenv("OPTION_D='\\n'", { OPTION_D: "\\n" });
    expectDotenv("BAR='quote $FOO'", { BAR: "quote $FOO" }, { FOO: "x" });
    expectDotenv("A='it\\'s'", { A: "it's" });
    expectDotenv("A='a\\\\b'", { A: "a\\\\b" });
    expectDotenv("OPTION_J = 'first line\nsecond line\nthird line\nand so on'\nOPTION_Z = \"last value\"\n", {
      OPTION_J: "first line\nsecond line\nthird line\nand so on",
      OPTION_Z: "last value",
    });
  });
});

describe("double-quoted values", () => {
  test('\\" is a quote and single quotes are plain', () => {
    expectDotenv('FOO="bar"', { FOO: "bar" });
    expectDotenv('FOO="escaped\\"bar"', { FOO: 'escaped"bar' });
    expectDotenv('FOO="\\"quoted\\""', { FOO: '"quoted"' });
    expectDotenv("FOO=\"'d'\"", { FOO: "'d'" });
    expectDotenv("OPTION_I = \"echo 'asd'\"", { OPTION_I: "echo 'asd'" });
  });

  test("expand the shell escapes", () => {
    expectDotenv('FOO="bar\\nbaz"', { FOO: "bar\nbaz" });
    expectDotenv('FOO="a\\tb"', { FOO: "a\tb" });
    expectDotenv('KEY="Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z"', { KEY: "Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ" });
    expectDotenv('FOO="bar\\n\\ b\\az"', { FOO: "bar\n\\ b\x07z" });
    expectDotenv('FOO="bar\\\\\\n\\ b\\az"', { FOO: "bar\\\n\\ b\x07z" });
    expectDotenv('FOO="bar\\\\r\\ b\\az"', { FOO: "bar\\r\\ b\x07z" });
    expectDotenv('FOO="bar\\nbaz\\\\"', { FOO: "bar\nbaz\\" });
  });

  test("leave other escapes alone", () => {
    expectDotenv('KEY="\\x07"', { KEY: "\\x07" });
    expectDotenv('KEY="\\u12e4"', { KEY: "\\u12e4" });
    expectDotenv('KEY="\\U00101234"', { KEY: "\\U00101234" });
    expectDotenv('KEY="\\c\\q\\\'"', { KEY: "\\c\\q\\'" });
  });

  test("octal escapes need three digits and fit in a byte, else they only lose their 0", () => {
    expectDotenv('KEY="\\0123"', { KEY: "S" });
    expectDotenv('KEY="\\0101\\0102\\0377"', { KEY: "AB\u00ff" });
    expectDotenv('KEY="a\\0b"', { KEY: "a\\b" });
    expectDotenv('KEY="\\01|\\012|\\0777|\\0128"', { KEY: "\\1|\\12|\\777|\\128" });
  });

  test("may span lines, keeping CR of CRLF", () => {
    expectDotenv('TEST_URLS="stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443"', {
      TEST_URLS: "stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443",
    });
    expectDotenv('A="x\r\ny"\r\nB=2', { A: "x\r\ny", B: "2" });
  });

  test("# inside quotes is kept, a comment after the closing quote is skipped", () => {
    expectDotenv('FOO="bar#baz"', { FOO: "bar#baz" });
    expectDotenv('FOO="bar#baz"#', { FOO: "bar#baz" });
    expectDotenv('FOO="bar#baz" # comment', { FOO: "bar#baz" });
    expectDotenv("FOO='bar#baz' # comment", { FOO: "bar#baz" });
    expectDotenv('FOO="bar#baz#bang" # comment', { FOO: "bar#baz#bang" });
    expectDotenv('FOO="ba#r"', { FOO: "ba#r" });
    expectDotenv("FOO='ba#r'", { FOO: "ba#r" });
  });

  test("other text after the closing quote starts the next statement", () => {
    expectDotenv('A="x" B=2', { A: "x", B: "2" });
    expectDotenv("A='x' junk\nC=3", { A: "x", C: "3" });
    expectDotenv("A='x' junk", { A: "x", "": "junk" });
  });
});

describe("unterminated quotes", () => {
  test("compose-go's cases, naming the key and never the value (compose-go shows the value)", () => {
    for (const text of [
      'KEY="',
      'KEY="value',
      'KEY="value\\"',
      "KEY=\"value'",
      "KEY='",
      "KEY='value",
      "KEY='value\\'",
      "KEY='value\"",
    ]) {
      expectDotenvError(text, 'line 1: unterminated quoted value of "KEY"');
    }
  });

  test("the line is where the value starts", () => {
    const error = expectDotenvError('A=1\nKEY="abc\nB=2\nC=3\n', 'line 2: unterminated quoted value of "KEY"');
    expect(error.offset).toBe(8);
  });
});

describe("expansion", () => {
  test("unquoted and double-quoted values are interpolated, single-quoted ones are not", () => {
    expectDotenv("FOO=test\nBAR=$FOO", { FOO: "test", BAR: "test" });
    expectDotenv("FOO=test\nBAR=${FOO}bar", { FOO: "test", BAR: "testbar" });
    expectDotenv("BAR=$FOO", { BAR: "" });
    expectDotenv('FOO=test\nBAR="quote $FOO"', { FOO: "test", BAR: "quote test" });
    expectDotenv("FOO=test\nBAR='quote $FOO'", { FOO: "test", BAR: "quote $FOO" });
  });

  test("\\$ and $$ are literal dollars", () => {
    expectDotenv('FOO="foo\\$BAR"', { FOO: "foo$BAR" });
    expectDotenv('FOO="foo\\${BAR}"', { FOO: "foo${BAR}" });
    expectDotenv('FOO=test\nBAR="foo\\${FOO} ${FOO}"', { FOO: "test", BAR: "foo${FOO} test" });
    expectDotenv('FOO=foo$$BAR\nX="$$"', { FOO: "foo$BAR", X: "$" });
  });

  test("the lookup wins over keys of this file, which are the fallback", () => {
    expectDotenv("FOO=foo\nBAR=${FOO}", { FOO: "foo", BAR: "zot" }, { FOO: "zot" });
    expectDotenv("TEST=$ME", { TEST: "YES" }, { ME: "YES" });
    const substitutions =
      "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n";
    expectDotenv(substitutions, { OPTION_A: "1", OPTION_B: "1", OPTION_C: "1", OPTION_D: "1_1", OPTION_E: "" });
    expectDotenv(
      substitutions,
      { OPTION_A: "5", OPTION_B: "5", OPTION_C: "5", OPTION_D: "5_5", OPTION_E: "" },
      { OPTION_A: "5" },
    );
  });

  test("the full Compose grammar applies and values are not scanned twice", () => {
    expectDotenv(
      "RESULT=${UNSET_VAR:-Default Value}\nR2=${EMPTY_VAR:-Default Value}\nR3=${TEST_VAR:-Default Value}",
      { RESULT: "Default Value", R2: "Default Value", R3: "Test Value" },
      { EMPTY_VAR: "", TEST_VAR: "Test Value" },
    );
    expectDotenv(
      "RESULT=${UNSET_VAR-Default Value}\nR2=${EMPTY_VAR-Default Value}",
      { RESULT: "Default Value", R2: "" },
      { EMPTY_VAR: "" },
    );
    expectDotenv('A="${X:+set}"\nB=${Y+set}', { A: "set", B: "" }, { X: "1" });
    expectDotenv("A=$X", { A: "$Y" }, { X: "$Y", Y: "no" });
  });

  test("interpolation errors carry the line and the cause", () => {
    const error = expectDotenvError(
      "A=1\nRESULT=${UNSET_VAR:?Test error}",
      'line 2: required variable UNSET_VAR is missing a value in the value of "RESULT"',
    );
    expect([error.offset, error.cause instanceof RequiredVariableError]).toEqual([11, true]);
    expectDotenvError(
      "RESULT=${EMPTY_VAR?Test error}",
      'line 1: required variable EMPTY_VAR is missing a value in the value of "RESULT"',
    );
    expectDotenv("RESULT=${EMPTY_VAR?Test error}", { RESULT: "" }, { EMPTY_VAR: "" });
    expectDotenvError('A=1\nB="x\n${ }"', 'line 2: invalid interpolation format in the value of "B"');
  });

  test("the comment cut happens before interpolation", () => {
    const error = expectDotenvError("A=${X:-a #b}", 'line 1: invalid interpolation format in the value of "A"');
    expect((error.cause as Error).message).toBe(
      'invalid interpolation format: "${X:-a"; you may need to escape any $ with another $',
    );
  });

  test("unset references are reported to onUnset", () => {
    const seen: string[] = [];
    parseDotenv("A=$NOPE\nB=${A:-x}\nC='$NO'\nD=\"${ALSO}\"", lookupIn({}), { onUnset: (name) => seen.push(name) });
    expect(seen).toEqual(["NOPE", "ALSO"]);
  });
});
