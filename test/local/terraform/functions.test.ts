import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EvaluationError } from "../../../local/terraform/errors.ts";
import { terraformFunctions } from "../../../local/terraform/functions.ts";
import { FunctionCallError, InvalidFunctionArgumentError } from "../../../local/terraform/functions/function-spec.ts";
import { jsonEncode } from "../../../local/terraform/functions/json-text.ts";
import { setValue } from "../../../local/terraform/type-constraint.ts";
import { isSet } from "../../../local/terraform/values.ts";
import { terraformConsole, type ConsoleResult } from "./terraform-console.ts";

/**
 * Every built-in function against the real `terraform console`: each case is
 * a console expression and the same call written as JS arguments, and the
 * expected value (or that it fails) is whatever Terraform 1.11 answers.
 * Typed nulls (`tostring(null)`, `tolist(null)`) stand for JS null where
 * Terraform treats an untyped `null` literal differently, because the
 * emulator's nulls come from variables and attributes, which have types.
 */

interface Case {
  /** The expression as typed into `terraform console`. */
  readonly tf: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

const set = (...items: unknown[]): unknown[] => setValue(items);

const FILES: Readonly<Record<string, string>> = {
  "hello.txt": "Hello World\n",
  "unicode.txt": "héllo 👍",
  "empty.txt": "",
};

const CASES: readonly Case[] = [
  // merge
  { tf: `merge({a=1},{b=2})`, name: "merge", args: [{ a: 1 }, { b: 2 }] },
  { tf: `merge({a=1},{a="x", c=[1]})`, name: "merge", args: [{ a: 1 }, { a: "x", c: [1] }] },
  { tf: `merge(null,{a=1})`, name: "merge", args: [null, { a: 1 }] },
  { tf: `merge()`, name: "merge", args: [] },
  { tf: `merge({a=1},{a=null})`, name: "merge", args: [{ a: 1 }, { a: null }] },
  { tf: `merge({a=1},"x")`, name: "merge", args: [{ a: 1 }, "x"] },
  { tf: `merge([1])`, name: "merge", args: [[1]] },

  // lookup
  { tf: `lookup({a=1},"a")`, name: "lookup", args: [{ a: 1 }, "a"] },
  { tf: `lookup({a={b=1}},"a")`, name: "lookup", args: [{ a: { b: 1 } }, "a"] },
  { tf: `lookup({a=1},"b","d")`, name: "lookup", args: [{ a: 1 }, "b", "d"] },
  { tf: `lookup({a=1},"b",null)`, name: "lookup", args: [{ a: 1 }, "b", null] },
  { tf: `lookup({a=null},"a","d")`, name: "lookup", args: [{ a: null }, "a", "d"] },
  { tf: `lookup({a=1},"b")`, name: "lookup", args: [{ a: 1 }, "b"] },
  { tf: `lookup({"1"=2},1)`, name: "lookup", args: [{ "1": 2 }, 1] },
  { tf: `lookup(["a"],"0")`, name: "lookup", args: [["a"], "0"] },
  { tf: `lookup(tomap(null),"a")`, name: "lookup", args: [null, "a"] },
  { tf: `lookup({a=1})`, name: "lookup", args: [{ a: 1 }] },
  { tf: `lookup({a=1},"a","b","c")`, name: "lookup", args: [{ a: 1 }, "a", "b", "c"] },

  // concat
  { tf: `concat([1],["a"],[])`, name: "concat", args: [[1], ["a"], []] },
  { tf: `concat([[1]],[{a=1}])`, name: "concat", args: [[[1]], [{ a: 1 }]] },
  { tf: `concat()`, name: "concat", args: [] },
  { tf: `concat([1],tolist(null))`, name: "concat", args: [[1], null] },
  { tf: `concat([1],"a")`, name: "concat", args: [[1], "a"] },
  { tf: `concat(toset([1]),[2])`, name: "concat", args: [set(1), [2]] },

  // flatten
  { tf: `flatten([[1,[2,[3]]],4,[]])`, name: "flatten", args: [[[1, [2, [3]]], 4, []]] },
  { tf: `flatten([])`, name: "flatten", args: [[]] },
  { tf: `flatten([null,[null]])`, name: "flatten", args: [[null, [null]]] },
  { tf: `flatten([toset(["b","a"]),["c"]])`, name: "flatten", args: [[set("b", "a"), ["c"]]] },
  { tf: `flatten(toset([1]))`, name: "flatten", args: [set(1)] },
  { tf: `flatten("a")`, name: "flatten", args: ["a"] },
  { tf: `flatten(tolist(null))`, name: "flatten", args: [null] },

  // keys
  { tf: `keys({b=1,a=2,"é"=3,B=4})`, name: "keys", args: [{ b: 1, a: 2, é: 3, B: 4 }] },
  { tf: `keys({})`, name: "keys", args: [{}] },
  { tf: `keys([1])`, name: "keys", args: [[1]] },
  { tf: `keys(tomap(null))`, name: "keys", args: [null] },

  // values
  { tf: `values({b=1,a=2,c="x"})`, name: "values", args: [{ b: 1, a: 2, c: "x" }] },
  { tf: `values({})`, name: "values", args: [{}] },
  { tf: `values([1])`, name: "values", args: [[1]] },
  { tf: `values(tomap(null))`, name: "values", args: [null] },

  // zipmap
  { tf: `zipmap(["a","b"],[1,2])`, name: "zipmap", args: [["a", "b"], [1, 2]] },
  { tf: `zipmap(["a","a"],[1,2])`, name: "zipmap", args: [["a", "a"], [1, 2]] },
  { tf: `zipmap([],[])`, name: "zipmap", args: [[], []] },
  { tf: `zipmap([1,2],["x","y"])`, name: "zipmap", args: [[1, 2], ["x", "y"]] },
  { tf: `zipmap(toset(["b","a"]),[1,2])`, name: "zipmap", args: [set("b", "a"), [1, 2]] },
  { tf: `zipmap(["a"],[1,2])`, name: "zipmap", args: [["a"], [1, 2]] },
  { tf: `zipmap(["a",null],[1,2])`, name: "zipmap", args: [["a", null], [1, 2]] },
  { tf: `zipmap(["a"],{a=1})`, name: "zipmap", args: [["a"], { a: 1 }] },

  // tomap, tolist, toset
  { tf: `tomap({a=1,b="x"})`, name: "tomap", args: [{ a: 1, b: "x" }] },
  { tf: `tomap({a=[1],b=["x",2]})`, name: "tomap", args: [{ a: [1], b: ["x", 2] }] },
  { tf: `tomap({a={x=1},b={y=2}})`, name: "tomap", args: [{ a: { x: 1 }, b: { y: 2 } }] },
  { tf: `tomap({a=null,b=1})`, name: "tomap", args: [{ a: null, b: 1 }] },
  { tf: `tomap({})`, name: "tomap", args: [{}] },
  { tf: `tomap(null)`, name: "tomap", args: [null] },
  { tf: `tomap({a=1,b=true})`, name: "tomap", args: [{ a: 1, b: true }] },
  { tf: `tomap([1])`, name: "tomap", args: [[1]] },
  { tf: `tolist([1,"a"])`, name: "tolist", args: [[1, "a"]] },
  { tf: `tolist([{a=1},{b="x"}])`, name: "tolist", args: [[{ a: 1 }, { b: "x" }]] },
  { tf: `tolist([{a=1,b=[1]},{a=2,b=["x"]}])`, name: "tolist", args: [[{ a: 1, b: [1] }, { a: 2, b: ["x"] }]] },
  { tf: `tolist([[1],[1,2]])`, name: "tolist", args: [[[1], [1, 2]]] },
  { tf: `tolist([[1],["a"]])`, name: "tolist", args: [[[1], ["a"]]] },
  { tf: `tolist([1,null])`, name: "tolist", args: [[1, null]] },
  { tf: `tolist([null,null])`, name: "tolist", args: [[null, null]] },
  { tf: `tolist(toset(["b","a"]))`, name: "tolist", args: [set("b", "a")] },
  { tf: `tolist([])`, name: "tolist", args: [[]] },
  { tf: `tolist(null)`, name: "tolist", args: [null] },
  { tf: `tolist([1,true])`, name: "tolist", args: [[1, true]] },
  { tf: `tolist([[1],[true]])`, name: "tolist", args: [[[1], [true]]] },
  { tf: `tolist([{a=1},null])`, name: "tolist", args: [[{ a: 1 }, null]] },
  { tf: `tolist("a")`, name: "tolist", args: ["a"] },
  { tf: `tolist({a=1})`, name: "tolist", args: [{ a: 1 }] },
  { tf: `toset([3,1,2,1])`, name: "toset", args: [[3, 1, 2, 1]] },
  { tf: `toset(["b","a","b","B","é"])`, name: "toset", args: [["b", "a", "b", "B", "é"]] },
  { tf: `toset([true,false,true])`, name: "toset", args: [[true, false, true]] },
  { tf: `toset([1,"a"])`, name: "toset", args: [[1, "a"]] },
  { tf: `toset([{a=1},{a=1}])`, name: "toset", args: [[{ a: 1 }, { a: 1 }]] },
  { tf: `toset(["b",null])`, name: "toset", args: [["b", null]] },
  { tf: `toset(null)`, name: "toset", args: [null] },
  { tf: `toset([1,true])`, name: "toset", args: [[1, true]] },
  { tf: `toset("a")`, name: "toset", args: ["a"] },

  // tostring, tonumber, tobool
  { tf: `tostring(5)`, name: "tostring", args: [5] },
  { tf: `tostring(-1.5)`, name: "tostring", args: [-1.5] },
  { tf: `tostring(1e21)`, name: "tostring", args: [1e21] },
  { tf: `tostring(1e-7)`, name: "tostring", args: [1e-7] },
  { tf: `tostring(123456789.123)`, name: "tostring", args: [123456789.123] },
  { tf: `tostring(true)`, name: "tostring", args: [true] },
  { tf: `tostring("x")`, name: "tostring", args: ["x"] },
  { tf: `tostring(null)`, name: "tostring", args: [null] },
  { tf: `tostring([1])`, name: "tostring", args: [[1]] },
  { tf: `tostring({})`, name: "tostring", args: [{}] },
  { tf: `tonumber("1e3")`, name: "tonumber", args: ["1e3"] },
  { tf: `tonumber(".5")`, name: "tonumber", args: [".5"] },
  { tf: `tonumber("5.")`, name: "tonumber", args: ["5."] },
  { tf: `tonumber("+5")`, name: "tonumber", args: ["+5"] },
  { tf: `tonumber("-0.25")`, name: "tonumber", args: ["-0.25"] },
  { tf: `tonumber(7)`, name: "tonumber", args: [7] },
  { tf: `tonumber(null)`, name: "tonumber", args: [null] },
  { tf: `tonumber(" 5")`, name: "tonumber", args: [" 5"] },
  { tf: `tonumber("0x10")`, name: "tonumber", args: ["0x10"] },
  { tf: `tonumber("Inf")`, name: "tonumber", args: ["Inf"] },
  { tf: `tonumber("")`, name: "tonumber", args: [""] },
  { tf: `tonumber(true)`, name: "tonumber", args: [true] },
  { tf: `tobool("true")`, name: "tobool", args: ["true"] },
  { tf: `tobool("0")`, name: "tobool", args: ["0"] },
  { tf: `tobool(false)`, name: "tobool", args: [false] },
  { tf: `tobool(null)`, name: "tobool", args: [null] },
  { tf: `tobool("True")`, name: "tobool", args: ["True"] },
  { tf: `tobool("yes")`, name: "tobool", args: ["yes"] },
  { tf: `tobool(1)`, name: "tobool", args: [1] },

  // length
  { tf: `length("héllo")`, name: "length", args: ["héllo"] },
  { tf: `length("👍🏽x")`, name: "length", args: ["👍🏽x"] },
  { tf: String.raw`length("e\u0301")`, name: "length", args: ["e\u0301"] },
  { tf: String.raw`length("\U0001F468\u200D\U0001F469\u200D\U0001F467")`, name: "length", args: ["\u{1F468}\u200D\u{1F469}\u200D\u{1F467}"] },
  { tf: `length("")`, name: "length", args: [""] },
  { tf: `length([1,2,3])`, name: "length", args: [[1, 2, 3]] },
  { tf: `length({a=1,b=2})`, name: "length", args: [{ a: 1, b: 2 }] },
  { tf: `length(toset([1,1,2]))`, name: "length", args: [set(1, 1, 2)] },
  { tf: `length(tostring(null))`, name: "length", args: [null] },
  { tf: `length(5)`, name: "length", args: [5] },
  { tf: `length(true)`, name: "length", args: [true] },

  // contains
  { tf: `contains(["a","b"],"b")`, name: "contains", args: [["a", "b"], "b"] },
  { tf: `contains([{a=1}],{a=1})`, name: "contains", args: [[{ a: 1 }], { a: 1 }] },
  { tf: `contains(toset(["a"]),"a")`, name: "contains", args: [set("a"), "a"] },
  { tf: `contains(["1"],1)`, name: "contains", args: [["1"], 1] },
  { tf: `contains([],"a")`, name: "contains", args: [[], "a"] },
  { tf: `contains(tolist(null),"a")`, name: "contains", args: [null, "a"] },
  { tf: `contains(["a"],tostring(null))`, name: "contains", args: [["a"], null] },
  { tf: `contains("a","a")`, name: "contains", args: ["a", "a"] },

  // coalesce, coalescelist
  { tf: `coalesce("","a")`, name: "coalesce", args: ["", "a"] },
  { tf: `coalesce(null,1,2)`, name: "coalesce", args: [null, 1, 2] },
  { tf: `coalesce(1,"a")`, name: "coalesce", args: [1, "a"] },
  { tf: `coalesce([],["a"])`, name: "coalesce", args: [[], ["a"]] },
  { tf: `coalesce({a=1},{b=2})`, name: "coalesce", args: [{ a: 1 }, { b: 2 }] },
  { tf: `coalesce(null,"")`, name: "coalesce", args: [null, ""] },
  { tf: `coalesce()`, name: "coalesce", args: [] },
  { tf: `coalesce(true,1)`, name: "coalesce", args: [true, 1] },
  { tf: `coalescelist([],["a"])`, name: "coalescelist", args: [[], ["a"]] },
  { tf: `coalescelist([],[1],["x"])`, name: "coalescelist", args: [[], [1], ["x"]] },
  { tf: `coalescelist(tolist(null),["a"])`, name: "coalescelist", args: [null, ["a"]] },
  { tf: `coalescelist([],[])`, name: "coalescelist", args: [[], []] },
  { tf: `coalescelist("a")`, name: "coalescelist", args: ["a"] },
  { tf: `coalescelist()`, name: "coalescelist", args: [] },

  // format
  { tf: `format("Hello, %s!","Ander")`, name: "format", args: ["Hello, %s!", "Ander"] },
  { tf: `format("%v|%v|%v|%v|%v",1000000,123456,0.00001,-0.5,true)`, name: "format", args: ["%v|%v|%v|%v|%v", 1000000, 123456, 0.00001, -0.5, true] },
  { tf: `format("%v %v",[1,"a"],{b=1,a="<x>"})`, name: "format", args: ["%v %v", [1, "a"], { b: 1, a: "<x>" }] },
  { tf: `format("%v %#v %#v",tostring(null),"x",1)`, name: "format", args: ["%v %#v %#v", null, "x", 1] },
  { tf: `format("%5.2f|%-6d|%06d|%+d|% d",3.14159,42,42,5,5)`, name: "format", args: ["%5.2f|%-6d|%06d|%+d|% d", 3.14159, 42, 42, 5, 5] },
  { tf: `format("%x %X %o %b %#x %#o %#b %#X",255,255,8,5,255,8,5,255)`, name: "format", args: ["%x %X %o %b %#x %#o %#b %#X", 255, 255, 8, 5, 255, 8, 5, 255] },
  { tf: `format("%5d|%-5d|%05d|%+05d|%.3d|%8.3d|%x|%b|%.0d|",-42,42,-42,42,7,7,-255,-5,0)`, name: "format", args: ["%5d|%-5d|%05d|%+05d|%.3d|%8.3d|%x|%b|%.0d|", -42, 42, -42, 42, 7, 7, -255, -5, 0] },
  { tf: `format("%e %E %g %G %f",1234.5678,0.000012,1234.5678,1e21,1)`, name: "format", args: ["%e %E %g %G %f", 1234.5678, 0.000012, 1234.5678, 1e21, 1] },
  { tf: `format("%.0f %.0f %.0f %.1f %.1f %.1f %.2f %.2f",0.5,1.5,2.5,0.05,0.15,0.25,2.675,1.005)`, name: "format", args: ["%.0f %.0f %.0f %.1f %.1f %.1f %.2f %.2f", 0.5, 1.5, 2.5, 0.05, 0.15, 0.25, 2.675, 1.005] },
  { tf: `format("%8.3f|%-8.3f|%08.3f|%+.1f|% .1f|%08.3e|%+.2e",3.14159,3.14159,-3.14159,2,2,-1234.5,0)`, name: "format", args: ["%8.3f|%-8.3f|%08.3f|%+.1f|% .1f|%08.3e|%+.2e", 3.14159, 3.14159, -3.14159, 2, 2, -1234.5, 0] },
  { tf: `format("%.3g %.2g %.10g %g %g %g %G %.0e",1234.5678,0.000012345,0.1,100000000,0.0001,0.00001234,0.000001234,25)`, name: "format", args: ["%.3g %.2g %.10g %g %g %g %G %.0e", 1234.5678, 0.000012345, 0.1, 100000000, 0.0001, 0.00001234, 0.000001234, 25] },
  { tf: `format("%.2f %.1f %.3f %.2e %.1e %.2e %.3g %.0f %.1f",0.125,0.35,1.0005,1.125,0.25,9.995,2.0005,999.5,99.95)`, name: "format", args: ["%.2f %.1f %.3f %.2e %.1e %.2e %.3g %.0f %.1f", 0.125, 0.35, 1.0005, 1.125, 0.25, 9.995, 2.0005, 999.5, 99.95] },
  { tf: `format("%v %v %.15f %v",toset(["b","a"]),{a=toset([2,1])},0.1,1e300)`, name: "format", args: ["%v %v %.15f %v", set("b", "a"), { a: set(2, 1) }, 0.1, 1e300] },
  { tf: `format("%.3f|%e|%f|%.1f",1e21,0,-0.0000001,-0.04)`, name: "format", args: ["%.3f|%e|%f|%.1f", 1e21, 0, -0.0000001, -0.04] },
  { tf: `format("%.3s|%5s|%-5s|%05s|%3.1s|%.s|",  "abcdef","ab","ab","ab","héllo","abc")`, name: "format", args: ["%.3s|%5s|%-5s|%05s|%3.1s|%.s|", "abcdef", "ab", "ab", "ab", "héllo", "abc"] },
  { tf: `format("%5v|%-5v|%05v|%-05v|%.3v",12,"ab",true,"ab","abcdef")`, name: "format", args: ["%5v|%-5v|%05v|%-05v|%.3v", 12, "ab", true, "ab", "abcdef"] },
  { tf: String.raw`format("%q|%10q|%-10q|%.2q|%q",  "a\"b<","a","b","abc",5)`, name: "format", args: ["%q|%10q|%-10q|%.2q|%q", 'a"b<', "a", "b", "abc", 5] },
  { tf: `format("%5t|%-6t|%t|%s|%s|%d",true,false,"true",5,true,"12")`, name: "format", args: ["%5t|%-6t|%t|%s|%s|%d", true, false, "true", 5, true, "12"] },
  { tf: `format("%[2]s %[1]s %s %%",  "a","b")`, name: "format", args: ["%[2]s %[1]s %s %%", "a", "b"] },
  { tf: `format("%d",1e20)`, name: "format", args: ["%d", 1e20] },
  { tf: `format("no verbs")`, name: "format", args: ["no verbs"] },
  { tf: `format("%d",1.5)`, name: "format", args: ["%d", 1.5] },
  { tf: `format("%d",true)`, name: "format", args: ["%d", true] },
  { tf: `format("%t",1)`, name: "format", args: ["%t", 1] },
  { tf: `format("%s",[1])`, name: "format", args: ["%s", [1]] },
  { tf: `format("%s",tostring(null))`, name: "format", args: ["%s", null] },
  { tf: `format("%[2]s %s %[1]s","a","b")`, name: "format", args: ["%[2]s %s %[1]s", "a", "b"] },
  { tf: `format("%s")`, name: "format", args: ["%s"] },
  { tf: `format("abc",1)`, name: "format", args: ["abc", 1] },
  { tf: `format("%s %s","a","b","c")`, name: "format", args: ["%s %s", "a", "b", "c"] },
  { tf: `format("%z",1)`, name: "format", args: ["%z", 1] },
  { tf: `format("%c",65)`, name: "format", args: ["%c", 65] },
  { tf: `format("%5%")`, name: "format", args: ["%5%"] },
  { tf: `format("%[0]s","a")`, name: "format", args: ["%[0]s", "a"] },
  { tf: `format("abc %")`, name: "format", args: ["abc %"] },

  // formatlist
  { tf: `formatlist("%s-%s",["a","b"],"x")`, name: "formatlist", args: ["%s-%s", ["a", "b"], "x"] },
  { tf: `formatlist("%s=%d",toset(["b","a"]),[1,2])`, name: "formatlist", args: ["%s=%d", set("b", "a"), [1, 2]] },
  { tf: `formatlist("%v",[[1],[2]])`, name: "formatlist", args: ["%v", [[1], [2]]] },
  { tf: `formatlist("hi")`, name: "formatlist", args: ["hi"] },
  { tf: `formatlist("%s","a")`, name: "formatlist", args: ["%s", "a"] },
  { tf: `formatlist("%s",[])`, name: "formatlist", args: ["%s", []] },
  { tf: `formatlist("%s-%s",["a","b"],["c"])`, name: "formatlist", args: ["%s-%s", ["a", "b"], ["c"]] },
  { tf: `formatlist("%s",[[1]])`, name: "formatlist", args: ["%s", [[1]]] },
  { tf: `formatlist("%s",tolist(null))`, name: "formatlist", args: ["%s", null] },

  // join, split
  { tf: `join(",",["a","b"])`, name: "join", args: [",", ["a", "b"]] },
  { tf: `join("-",["a"],["b","c"],[])`, name: "join", args: ["-", ["a"], ["b", "c"], []] },
  { tf: `join(",",[1,true])`, name: "join", args: [",", [1, true]] },
  { tf: `join(",",toset(["b","a"]))`, name: "join", args: [",", set("b", "a")] },
  { tf: `join(",",[])`, name: "join", args: [",", []] },
  { tf: `join(",")`, name: "join", args: [","] },
  { tf: `join(",",["a",tostring(null)])`, name: "join", args: [",", ["a", null]] },
  { tf: `join(",","a")`, name: "join", args: [",", "a"] },
  { tf: `split(",","a,b,,c")`, name: "split", args: [",", "a,b,,c"] },
  { tf: `split(",","")`, name: "split", args: [",", ""] },
  { tf: `split("","héy👍")`, name: "split", args: ["", "héy👍"] },
  { tf: `split("👍","a👍b")`, name: "split", args: ["👍", "a👍b"] },
  { tf: `split(",",tostring(null))`, name: "split", args: [",", null] },
  { tf: `split(",",["a"])`, name: "split", args: [",", ["a"]] },

  // replace
  { tf: `replace("hello world","o","0")`, name: "replace", args: ["hello world", "o", "0"] },
  { tf: `replace("a.b",".","-")`, name: "replace", args: ["a.b", ".", "-"] },
  { tf: `replace("abc","","-")`, name: "replace", args: ["abc", "", "-"] },
  { tf: `replace("abc","/","x")`, name: "replace", args: ["abc", "/", "x"] },
  { tf: `replace("hello world","/o(.)/","$1X")`, name: "replace", args: ["hello world", "/o(.)/", "$1X"] },
  { tf: 'replace("hello world","/(?P<first>h)/","$${first}Y")', name: "replace", args: ["hello world", "/(?P<first>h)/", "${first}Y"] },
  { tf: `replace("abc","/(b)/","$1x|$2|$$")`, name: "replace", args: ["abc", "/(b)/", "$1x|$2|$$"] },
  { tf: `replace("aXbX","/X/","$0$0")`, name: "replace", args: ["aXbX", "/X/", "$0$0"] },
  { tf: `replace("ab","/(?P<x>a)/","$x-")`, name: "replace", args: ["ab", "/(?P<x>a)/", "$x-"] },
  { tf: `replace("ab","/(a)/","$")`, name: "replace", args: ["ab", "/(a)/", "$"] },
  { tf: `replace("abc","/b*/","-")`, name: "replace", args: ["abc", "/b*/", "-"] },
  { tf: `replace("ab","//","x")`, name: "replace", args: ["ab", "//", "x"] },
  { tf: `replace("abc","/[/","x")`, name: "replace", args: ["abc", "/[/", "x"] },
  { tf: `replace(tostring(null),"a","b")`, name: "replace", args: [null, "a", "b"] },

  // lower, upper, title
  { tf: `lower("ÀB ΑΣ İ")`, name: "lower", args: ["ÀB ΑΣ İ"] },
  { tf: `lower(5)`, name: "lower", args: [5] },
  { tf: `lower(tostring(null))`, name: "lower", args: [null] },
  { tf: `upper("straße ﬀ ǆ")`, name: "upper", args: ["straße ﬀ ǆ"] },
  { tf: `upper(true)`, name: "upper", args: [true] },
  { tf: `upper([])`, name: "upper", args: [[]] },
  { tf: `title("hello wORLD foo-bar o'neil hello_world 1st")`, name: "title", args: ["hello wORLD foo-bar o'neil hello_world 1st"] },
  { tf: String.raw`title("ǆa ħello\u00a0world")`, name: "title", args: ["ǆa ħello\u00a0world"] },
  { tf: `title("")`, name: "title", args: [""] },
  { tf: `title(tostring(null))`, name: "title", args: [null] },

  // trimprefix, trimsuffix, trimspace, trim, chomp
  { tf: `trimprefix("abcabc","abc")`, name: "trimprefix", args: ["abcabc", "abc"] },
  { tf: `trimprefix("abc","x")`, name: "trimprefix", args: ["abc", "x"] },
  { tf: `trimprefix("abc","")`, name: "trimprefix", args: ["abc", ""] },
  { tf: `trimprefix(tostring(null),"a")`, name: "trimprefix", args: [null, "a"] },
  { tf: `trimsuffix("abcabc","abc")`, name: "trimsuffix", args: ["abcabc", "abc"] },
  { tf: `trimsuffix("abc","")`, name: "trimsuffix", args: ["abc", ""] },
  { tf: `trimsuffix(1,[1])`, name: "trimsuffix", args: [1, [1]] },
  { tf: String.raw`trimspace("  \t\n a b \n")`, name: "trimspace", args: ["  \t\n a b \n"] },
  { tf: String.raw`trimspace("\u00a0a\u0085\u3000")`, name: "trimspace", args: ["\u00a0a\u0085\u3000"] },
  { tf: String.raw`trimspace("\ufeffa")`, name: "trimspace", args: ["\ufeffa"] },
  { tf: `trimspace("")`, name: "trimspace", args: [""] },
  { tf: `trimspace(tostring(null))`, name: "trimspace", args: [null] },
  { tf: `trim("?!hello?!","!?")`, name: "trim", args: ["?!hello?!", "!?"] },
  { tf: `trim("abc","")`, name: "trim", args: ["abc", ""] },
  { tf: `trim("👍a👍","👍")`, name: "trim", args: ["👍a👍", "👍"] },
  { tf: `trim("abc",tostring(null))`, name: "trim", args: ["abc", null] },
  { tf: String.raw`chomp("a\n\r\n\n")`, name: "chomp", args: ["a\n\r\n\n"] },
  { tf: String.raw`chomp("a\r")`, name: "chomp", args: ["a\r"] },
  { tf: String.raw`chomp("a\n ")`, name: "chomp", args: ["a\n "] },
  { tf: `chomp(tostring(null))`, name: "chomp", args: [null] },

  // substr
  { tf: `substr("hello",1,3)`, name: "substr", args: ["hello", 1, 3] },
  { tf: `substr("hello",-3,-1)`, name: "substr", args: ["hello", -3, -1] },
  { tf: `substr("hello",-2,0)`, name: "substr", args: ["hello", -2, 0] },
  { tf: `substr("hello",2,-1)`, name: "substr", args: ["hello", 2, -1] },
  { tf: `substr("hello",10,2)`, name: "substr", args: ["hello", 10, 2] },
  { tf: `substr("hello",0,0)`, name: "substr", args: ["hello", 0, 0] },
  { tf: `substr("hello",-10,2)`, name: "substr", args: ["hello", -10, 2] },
  { tf: `substr("hello",5,1)`, name: "substr", args: ["hello", 5, 1] },
  { tf: `substr("hello",4,10)`, name: "substr", args: ["hello", 4, 10] },
  { tf: `substr("héllo👍🏽!",1,5)`, name: "substr", args: ["héllo👍🏽!", 1, 5] },
  { tf: `substr("",0,1)`, name: "substr", args: ["", 0, 1] },
  { tf: `substr("hello","1","2")`, name: "substr", args: ["hello", "1", "2"] },
  { tf: `substr("hello",1.5,2)`, name: "substr", args: ["hello", 1.5, 2] },
  { tf: `substr(tostring(null),0,1)`, name: "substr", args: [null, 0, 1] },

  // jsonencode, jsondecode
  { tf: `jsonencode({b=1,a=[true,null],c={},"é"=0.5,B="x"})`, name: "jsonencode", args: [{ b: 1, a: [true, null], c: {}, é: 0.5, B: "x" }] },
  { tf: String.raw`jsonencode("<a>&\u2028\u2029\t\n\r\"\\é👍")`, name: "jsonencode", args: ["<a>&\u2028\u2029\t\n\r\"\\é👍"] },
  { tf: String.raw`jsonencode(jsondecode("\"\\u0001\\b\\f\\u001f\""))`, name: "jsonencode", args: ["\u0001\b\f\u001f"] },
  { tf: `jsonencode(toset([2,1]))`, name: "jsonencode", args: [set(2, 1)] },
  { tf: `jsonencode([1e21,0.1,-5,1e-7,0])`, name: "jsonencode", args: [[1e21, 0.1, -5, 1e-7, 0]] },
  { tf: `jsonencode(tostring(null))`, name: "jsonencode", args: [null] },
  { tf: `jsonencode("")`, name: "jsonencode", args: [""] },
  { tf: String.raw`jsondecode("{\"b\":1,\"a\":[1,\"x\",null,true,{}]}")`, name: "jsondecode", args: ['{"b":1,"a":[1,"x",null,true,{}]}'] },
  { tf: String.raw`jsondecode("  \"x\" ")`, name: "jsondecode", args: ['  "x" '] },
  { tf: String.raw`jsondecode("1.50")`, name: "jsondecode", args: ["1.50"] },
  { tf: String.raw`jsondecode("{\"a\":1,\"a\":2}")`, name: "jsondecode", args: ['{"a":1,"a":2}'] },
  { tf: String.raw`jsondecode("\"\\ud83d\\ude00\"")`, name: "jsondecode", args: ['"\\ud83d\\ude00"'] },
  { tf: `jsondecode("null")`, name: "jsondecode", args: ["null"] },
  { tf: `jsondecode("[1")`, name: "jsondecode", args: ["[1"] },
  { tf: `jsondecode("1 2")`, name: "jsondecode", args: ["1 2"] },
  { tf: `jsondecode("")`, name: "jsondecode", args: [""] },
  { tf: `jsondecode(tostring(null))`, name: "jsondecode", args: [null] },

  // regex, regexall
  { tf: `regex("[a-z]+","123abc456")`, name: "regex", args: ["[a-z]+", "123abc456"] },
  { tf: String.raw`regex("(\\d+)-(\\d+)","x 12-34 y")`, name: "regex", args: ["(\\d+)-(\\d+)", "x 12-34 y"] },
  { tf: String.raw`regex("(?P<y>\\d{4})-(?P<m>\\d{2})","on 2024-05")`, name: "regex", args: ["(?P<y>\\d{4})-(?P<m>\\d{2})", "on 2024-05"] },
  { tf: `regex("(a)|(b)","b")`, name: "regex", args: ["(a)|(b)", "b"] },
  { tf: `regex("(?i)ABC","xabcx")`, name: "regex", args: ["(?i)ABC", "xabcx"] },
  { tf: String.raw`regex("\\pL+","héllo1")`, name: "regex", args: ["\\pL+", "héllo1"] },
  { tf: String.raw`regex("\\p{Greek}+","abγδε")`, name: "regex", args: ["\\p{Greek}+", "abγδε"] },
  { tf: String.raw`regex("\\Qa.b\\E","xa.b")`, name: "regex", args: ["\\Qa.b\\E", "xa.b"] },
  { tf: `regex("[[:digit:]]+","ab12")`, name: "regex", args: ["[[:digit:]]+", "ab12"] },
  { tf: String.raw`regex("(?s)a.b","a\nb")`, name: "regex", args: ["(?s)a.b", "a\nb"] },
  { tf: String.raw`regex("(?m)^b$","a\nb\nc")`, name: "regex", args: ["(?m)^b$", "a\nb\nc"] },
  { tf: String.raw`regex("\\Aab\\z","ab")`, name: "regex", args: ["\\Aab\\z", "ab"] },
  { tf: String.raw`regex("\\x{41}\\x42\\101","ABA")`, name: "regex", args: ["\\x{41}\\x42\\101", "ABA"] },
  { tf: `regex("[^a]","aé")`, name: "regex", args: ["[^a]", "aé"] },
  { tf: String.raw`regex("\\bfoo\\b","a foo b")`, name: "regex", args: ["\\bfoo\\b", "a foo b"] },
  { tf: `regex("(?U)a+","aaa")`, name: "regex", args: ["(?U)a+", "aaa"] },
  { tf: `regex("(?U)a+?","aaa")`, name: "regex", args: ["(?U)a+?", "aaa"] },
  { tf: String.raw`regex("\\-\\#\\ ","-# ")`, name: "regex", args: ["\\-\\#\\ ", "-# "] },
  { tf: String.raw`regex("\\d+","١٢3")`, name: "regex", args: ["\\d+", "١٢3"] },
  { tf: `regex("a{,2}","a{,2}")`, name: "regex", args: ["a{,2}", "a{,2}"] },
  { tf: `regex("[]a]+","]a]")`, name: "regex", args: ["[]a]+", "]a]"] },
  { tf: `regex("x*","")`, name: "regex", args: ["x*", ""] },
  { tf: `regex("(?i)straße","STRASSE")`, name: "regex", args: ["(?i)straße", "STRASSE"] },
  { tf: String.raw`regex("^\\s+$","\u00a0")`, name: "regex", args: ["^\\s+$", "\u00a0"] },
  { tf: String.raw`regex("a.b","a\nb")`, name: "regex", args: ["a.b", "a\nb"] },
  { tf: `regex("x","abc")`, name: "regex", args: ["x", "abc"] },
  { tf: `regex("(a)(?P<n>b)","ab")`, name: "regex", args: ["(a)(?P<n>b)", "ab"] },
  { tf: `regex("[","a")`, name: "regex", args: ["[", "a"] },
  { tf: String.raw`regex("(a)\\1","aa")`, name: "regex", args: ["(a)\\1", "aa"] },
  { tf: `regex("(?=a)","a")`, name: "regex", args: ["(?=a)", "a"] },
  { tf: `regex("a**","a")`, name: "regex", args: ["a**", "a"] },
  { tf: `regexall("[a-z]+","ab 12 cd")`, name: "regexall", args: ["[a-z]+", "ab 12 cd"] },
  { tf: String.raw`regexall("(\\d)(\\d)","12 34")`, name: "regexall", args: ["(\\d)(\\d)", "12 34"] },
  { tf: String.raw`regexall("(?P<d>\\d)","1a2")`, name: "regexall", args: ["(?P<d>\\d)", "1a2"] },
  { tf: `regexall("a*","baaac")`, name: "regexall", args: ["a*", "baaac"] },
  { tf: `regexall("","ab")`, name: "regexall", args: ["", "ab"] },
  { tf: `regexall("x","abc")`, name: "regexall", args: ["x", "abc"] },
  { tf: `regexall("(","abc")`, name: "regexall", args: ["(", "abc"] },

  // startswith, endswith, strcontains
  { tf: `startswith("abc","ab")`, name: "startswith", args: ["abc", "ab"] },
  { tf: `startswith("abc","")`, name: "startswith", args: ["abc", ""] },
  { tf: `startswith("abc","b")`, name: "startswith", args: ["abc", "b"] },
  { tf: `startswith(tostring(null),"a")`, name: "startswith", args: [null, "a"] },
  { tf: `endswith("abc","bc")`, name: "endswith", args: ["abc", "bc"] },
  { tf: `endswith(123,3)`, name: "endswith", args: [123, 3] },
  { tf: `endswith("abc",tostring(null))`, name: "endswith", args: ["abc", null] },
  { tf: `strcontains("abc","b")`, name: "strcontains", args: ["abc", "b"] },
  { tf: `strcontains("abc","d")`, name: "strcontains", args: ["abc", "d"] },
  { tf: `strcontains("abc","")`, name: "strcontains", args: ["abc", ""] },
  { tf: `strcontains(["abc"],"a")`, name: "strcontains", args: [["abc"], "a"] },

  // sort, distinct, compact
  { tf: `sort(["b","a","B","10","9","é","z"])`, name: "sort", args: [["b", "a", "B", "10", "9", "é", "z"]] },
  { tf: String.raw`sort(["é","z","\U0001F600","\uffff"])`, name: "sort", args: [["é", "z", "\u{1F600}", "\uffff"]] },
  { tf: `sort([3,1,2])`, name: "sort", args: [[3, 1, 2]] },
  { tf: `sort([])`, name: "sort", args: [[]] },
  { tf: `sort(["a",tostring(null)])`, name: "sort", args: [["a", null]] },
  { tf: `sort("a")`, name: "sort", args: ["a"] },
  { tf: `distinct([1,2,1,"1"])`, name: "distinct", args: [[1, 2, 1, "1"]] },
  { tf: `distinct([[1],[1],[2]])`, name: "distinct", args: [[[1], [1], [2]]] },
  { tf: `distinct([tostring(null),"a",tostring(null)])`, name: "distinct", args: [[null, "a", null]] },
  { tf: `distinct([])`, name: "distinct", args: [[]] },
  { tf: `distinct([1,true])`, name: "distinct", args: [[1, true]] },
  { tf: `distinct({a=1})`, name: "distinct", args: [{ a: 1 }] },
  { tf: `compact(["a","",tostring(null),"b"])`, name: "compact", args: [["a", "", null, "b"]] },
  { tf: `compact([1,""])`, name: "compact", args: [[1, ""]] },
  { tf: `compact([])`, name: "compact", args: [[]] },
  { tf: `compact(tolist(null))`, name: "compact", args: [null] },

  // element, index, one
  { tf: `element(["a","b","c"],1)`, name: "element", args: [["a", "b", "c"], 1] },
  { tf: `element(["a","b","c"],4)`, name: "element", args: [["a", "b", "c"], 4] },
  { tf: `element(["a","b","c"],"2")`, name: "element", args: [["a", "b", "c"], "2"] },
  { tf: `element(["a","b","c"],-1)`, name: "element", args: [["a", "b", "c"], -1] },
  { tf: `element([],0)`, name: "element", args: [[], 0] },
  { tf: `element(["a"],1.5)`, name: "element", args: [["a"], 1.5] },
  { tf: `element({a=1},0)`, name: "element", args: [{ a: 1 }, 0] },
  { tf: `element(toset(["a"]),0)`, name: "element", args: [set("a"), 0] },
  { tf: `element(tolist(null),0)`, name: "element", args: [null, 0] },
  { tf: `index(["a","b"],"b")`, name: "index", args: [["a", "b"], "b"] },
  { tf: `index([{a=1},{a=2}],{a=2})`, name: "index", args: [[{ a: 1 }, { a: 2 }], { a: 2 }] },
  { tf: `index(["a","b"],"z")`, name: "index", args: [["a", "b"], "z"] },
  { tf: `index([],"a")`, name: "index", args: [[], "a"] },
  { tf: `index([1,2],"2")`, name: "index", args: [[1, 2], "2"] },
  { tf: `index(toset(["a"]),"a")`, name: "index", args: [set("a"), "a"] },
  { tf: `index(["a"],tostring(null))`, name: "index", args: [["a"], null] },
  { tf: `one([])`, name: "one", args: [[]] },
  { tf: `one(["a"])`, name: "one", args: [["a"]] },
  { tf: `one(toset(["x"]))`, name: "one", args: [set("x")] },
  { tf: `one(toset([]))`, name: "one", args: [set()] },
  { tf: `one(["a","b"])`, name: "one", args: [["a", "b"]] },
  { tf: `one(tolist(null))`, name: "one", args: [null] },
  { tf: `one("a")`, name: "one", args: ["a"] },

  // alltrue, anytrue
  { tf: `alltrue([true,"true"])`, name: "alltrue", args: [[true, "true"]] },
  { tf: `alltrue([])`, name: "alltrue", args: [[]] },
  { tf: `alltrue([true,false])`, name: "alltrue", args: [[true, false]] },
  { tf: `alltrue([true,null])`, name: "alltrue", args: [[true, null]] },
  { tf: `alltrue([1])`, name: "alltrue", args: [[1]] },
  { tf: `alltrue(tolist(null))`, name: "alltrue", args: [null] },
  { tf: `anytrue([false,"true"])`, name: "anytrue", args: [[false, "true"]] },
  { tf: `anytrue([])`, name: "anytrue", args: [[]] },
  { tf: `anytrue([null,true])`, name: "anytrue", args: [[null, true]] },
  { tf: `anytrue([null])`, name: "anytrue", args: [[null]] },
  { tf: `anytrue(["yes"])`, name: "anytrue", args: [["yes"]] },

  // range
  { tf: `range(3)`, name: "range", args: [3] },
  { tf: `range(1,4)`, name: "range", args: [1, 4] },
  { tf: `range(4,1)`, name: "range", args: [4, 1] },
  { tf: `range(-3)`, name: "range", args: [-3] },
  { tf: `range(0)`, name: "range", args: [0] },
  { tf: `range(0,1,0.25)`, name: "range", args: [0, 1, 0.25] },
  { tf: `range(0.1,0.35,0.1)`, name: "range", args: [0.1, 0.35, 0.1] },
  { tf: `range(1,0.5,-0.1)`, name: "range", args: [1, 0.5, -0.1] },
  { tf: `range("2")`, name: "range", args: ["2"] },
  { tf: `range(1,10,-1)`, name: "range", args: [1, 10, -1] },
  { tf: `range(10,1,1)`, name: "range", args: [10, 1, 1] },
  { tf: `range(1,2,0)`, name: "range", args: [1, 2, 0] },
  { tf: `range()`, name: "range", args: [] },
  { tf: `range(1,2,3,4)`, name: "range", args: [1, 2, 3, 4] },
  { tf: `range(0,2000)`, name: "range", args: [0, 2000] },

  // max, min, abs, ceil, floor, sum
  { tf: `max(1,5,3)`, name: "max", args: [1, 5, 3] },
  { tf: `max([1,2]...)`, name: "max", args: [1, 2] },
  { tf: `max("3",2)`, name: "max", args: ["3", 2] },
  { tf: `max()`, name: "max", args: [] },
  { tf: `max(tonumber(null),1)`, name: "max", args: [null, 1] },
  { tf: `max("a")`, name: "max", args: ["a"] },
  { tf: `min(-1,2)`, name: "min", args: [-1, 2] },
  { tf: `min(1.5,"0.5")`, name: "min", args: [1.5, "0.5"] },
  { tf: `min()`, name: "min", args: [] },
  { tf: `min([1])`, name: "min", args: [[1]] },
  { tf: `abs(-3.5)`, name: "abs", args: [-3.5] },
  { tf: `abs("-2")`, name: "abs", args: ["-2"] },
  { tf: `abs(0)`, name: "abs", args: [0] },
  { tf: `abs(tonumber(null))`, name: "abs", args: [null] },
  { tf: `abs(true)`, name: "abs", args: [true] },
  { tf: `ceil(1.2)`, name: "ceil", args: [1.2] },
  { tf: `ceil(-1.2)`, name: "ceil", args: [-1.2] },
  { tf: `ceil(-0.5)`, name: "ceil", args: [-0.5] },
  { tf: `ceil("2.5")`, name: "ceil", args: ["2.5"] },
  { tf: `ceil("x")`, name: "ceil", args: ["x"] },
  { tf: `floor(-1.2)`, name: "floor", args: [-1.2] },
  { tf: `floor(3)`, name: "floor", args: [3] },
  { tf: `floor(tonumber(null))`, name: "floor", args: [null] },
  { tf: `sum([1,2.5,"3"])`, name: "sum", args: [[1, 2.5, "3"]] },
  { tf: `sum([0.1,0.2])`, name: "sum", args: [[0.1, 0.2]] },
  { tf: `sum(toset([1,2]))`, name: "sum", args: [set(1, 2)] },
  { tf: `sum([-1])`, name: "sum", args: [[-1]] },
  { tf: `sum([])`, name: "sum", args: [[]] },
  { tf: `sum([1,tonumber(null)])`, name: "sum", args: [[1, null]] },
  { tf: `sum(["a"])`, name: "sum", args: [["a"]] },
  { tf: `sum({a=1})`, name: "sum", args: [{ a: 1 }] },
  { tf: `sum("a")`, name: "sum", args: ["a"] },

  // reverse, slice
  { tf: `reverse([1,2,3])`, name: "reverse", args: [[1, 2, 3]] },
  { tf: `reverse(toset(["b","a"]))`, name: "reverse", args: [set("b", "a")] },
  { tf: `reverse([])`, name: "reverse", args: [[]] },
  { tf: `reverse("ab")`, name: "reverse", args: ["ab"] },
  { tf: `reverse(tolist(null))`, name: "reverse", args: [null] },
  { tf: `slice(["a","b","c","d"],1,3)`, name: "slice", args: [["a", "b", "c", "d"], 1, 3] },
  { tf: `slice(["a"],1,1)`, name: "slice", args: [["a"], 1, 1] },
  { tf: `slice(["a"],0,"1")`, name: "slice", args: [["a"], 0, "1"] },
  { tf: `slice(["a"],0,2)`, name: "slice", args: [["a"], 0, 2] },
  { tf: `slice(["a","b"],1,0)`, name: "slice", args: [["a", "b"], 1, 0] },
  { tf: `slice(["a","b"],-1,1)`, name: "slice", args: [["a", "b"], -1, 1] },
  { tf: `slice(["a","b"],0.5,1)`, name: "slice", args: [["a", "b"], 0.5, 1] },
  { tf: `slice(toset(["a"]),0,1)`, name: "slice", args: [set("a"), 0, 1] },
  { tf: `slice("ab",0,1)`, name: "slice", args: ["ab", 0, 1] },

  // setunion, setintersection, setsubtract
  { tf: `setunion(["a","b"],["b","c"])`, name: "setunion", args: [["a", "b"], ["b", "c"]] },
  { tf: `setunion(["b"],[1])`, name: "setunion", args: [["b"], [1]] },
  { tf: `setunion([3],[1,2])`, name: "setunion", args: [[3], [1, 2]] },
  { tf: `setunion(["b","a"])`, name: "setunion", args: [["b", "a"]] },
  { tf: `setunion([])`, name: "setunion", args: [[]] },
  { tf: `setunion([1],[true])`, name: "setunion", args: [[1], [true]] },
  { tf: `setunion(tolist(null),["a"])`, name: "setunion", args: [null, ["a"]] },
  { tf: `setunion("a")`, name: "setunion", args: ["a"] },
  { tf: `setintersection(["a","b"],["b","c"],["b"])`, name: "setintersection", args: [["a", "b"], ["b", "c"], ["b"]] },
  { tf: `setintersection([1,2],["2"])`, name: "setintersection", args: [[1, 2], ["2"]] },
  { tf: `setintersection(["a"],[])`, name: "setintersection", args: [["a"], []] },
  { tf: `setintersection(["a"],[[1]])`, name: "setintersection", args: [["a"], [[1]]] },
  { tf: `setsubtract(["a","b","c"],["b"])`, name: "setsubtract", args: [["a", "b", "c"], ["b"]] },
  { tf: `setsubtract(["a"],[])`, name: "setsubtract", args: [["a"], []] },
  { tf: `setsubtract(["a"])`, name: "setsubtract", args: [["a"]] },
  { tf: `setsubtract(["a"],tolist(null))`, name: "setsubtract", args: [["a"], null] },

  // base64encode, base64decode
  { tf: `base64encode("héllo")`, name: "base64encode", args: ["héllo"] },
  { tf: `base64encode("")`, name: "base64encode", args: [""] },
  { tf: `base64encode(12)`, name: "base64encode", args: [12] },
  { tf: `base64encode(tostring(null))`, name: "base64encode", args: [null] },
  { tf: `base64decode("aMOpbGxv")`, name: "base64decode", args: ["aMOpbGxv"] },
  { tf: String.raw`base64decode("aGk=\n")`, name: "base64decode", args: ["aGk=\n"] },
  { tf: `base64decode("aGl=")`, name: "base64decode", args: ["aGl="] },
  { tf: `base64decode("")`, name: "base64decode", args: [""] },
  { tf: `base64decode("!!")`, name: "base64decode", args: ["!!"] },
  { tf: `base64decode("aGk")`, name: "base64decode", args: ["aGk"] },
  { tf: `base64decode("aG k=")`, name: "base64decode", args: ["aG k="] },
  { tf: `base64decode("/w==")`, name: "base64decode", args: ["/w=="] },

  // md5, sha1, sha256, sha512
  { tf: `md5("hello")`, name: "md5", args: ["hello"] },
  { tf: `md5(5)`, name: "md5", args: [5] },
  { tf: `md5(tostring(null))`, name: "md5", args: [null] },
  { tf: `sha1("héllo")`, name: "sha1", args: ["héllo"] },
  { tf: `sha1([])`, name: "sha1", args: [[]] },
  { tf: `sha256("hello")`, name: "sha256", args: ["hello"] },
  { tf: `sha256("")`, name: "sha256", args: [""] },
  { tf: `sha512("")`, name: "sha512", args: [""] },
  { tf: `sha512(true)`, name: "sha512", args: [true] },

  // urlencode
  { tf: `urlencode("a b&c=d/é~*'()!-_.")`, name: "urlencode", args: ["a b&c=d/é~*'()!-_."] },
  { tf: `urlencode("")`, name: "urlencode", args: [""] },
  { tf: `urlencode(tostring(null))`, name: "urlencode", args: [null] },

  // file functions (relative to the working directory)
  { tf: `file("hello.txt")`, name: "file", args: ["hello.txt"] },
  { tf: `file("unicode.txt")`, name: "file", args: ["unicode.txt"] },
  { tf: `file("./sub/../empty.txt")`, name: "file", args: ["./sub/../empty.txt"] },
  { tf: `file("missing.txt")`, name: "file", args: ["missing.txt"] },
  { tf: `file(".")`, name: "file", args: ["."] },
  { tf: `file(tostring(null))`, name: "file", args: [null] },
  { tf: `fileexists("hello.txt")`, name: "fileexists", args: ["hello.txt"] },
  { tf: `fileexists("missing.txt")`, name: "fileexists", args: ["missing.txt"] },
  { tf: `fileexists("missing/x.txt")`, name: "fileexists", args: ["missing/x.txt"] },
  { tf: `fileexists(".")`, name: "fileexists", args: ["."] },
  { tf: `filebase64("hello.txt")`, name: "filebase64", args: ["hello.txt"] },
  { tf: `filebase64("empty.txt")`, name: "filebase64", args: ["empty.txt"] },
  { tf: `filebase64("missing.txt")`, name: "filebase64", args: ["missing.txt"] },
  { tf: `filebase64sha256("hello.txt")`, name: "filebase64sha256", args: ["hello.txt"] },
  { tf: `filebase64sha256("missing.txt")`, name: "filebase64sha256", args: ["missing.txt"] },
  { tf: `filesha256("unicode.txt")`, name: "filesha256", args: ["unicode.txt"] },
  { tf: `filesha256("missing.txt")`, name: "filesha256", args: ["missing.txt"] },
  { tf: `filemd5("hello.txt")`, name: "filemd5", args: ["hello.txt"] },
  { tf: `filemd5("missing.txt")`, name: "filemd5", args: ["missing.txt"] },

  // beyond the brief's list: cheap, common in real configurations
  { tf: `nonsensitive("x")`, name: "nonsensitive", args: ["x"] },
  { tf: `nonsensitive(sensitive({a=1}))`, name: "sensitive", args: [{ a: 1 }] },
  { tf: `nonsensitive(sensitive(tostring(null)))`, name: "sensitive", args: [null] },
  { tf: `base64sha256("hello")`, name: "base64sha256", args: ["hello"] },
  { tf: `base64sha256(tostring(null))`, name: "base64sha256", args: [null] },
  { tf: `base64sha512("")`, name: "base64sha512", args: [""] },
  { tf: `base64sha512([])`, name: "base64sha512", args: [[]] },
  { tf: `strrev("héllo👍🏽")`, name: "strrev", args: ["héllo👍🏽"] },
  { tf: `strrev("")`, name: "strrev", args: [""] },
  { tf: `strrev(tostring(null))`, name: "strrev", args: [null] },
  { tf: String.raw`indent(2,"a\nb\n")`, name: "indent", args: [2, "a\nb\n"] },
  { tf: `indent(0,"a")`, name: "indent", args: [0, "a"] },
  { tf: String.raw`indent(-1,"a\nb")`, name: "indent", args: [-1, "a\nb"] },
  { tf: `indent(1.5,"a")`, name: "indent", args: [1.5, "a"] },
  { tf: `chunklist([1,2,3,4,5],2)`, name: "chunklist", args: [[1, 2, 3, 4, 5], 2] },
  { tf: `chunklist([],2)`, name: "chunklist", args: [[], 2] },
  { tf: `chunklist([1,2],0)`, name: "chunklist", args: [[1, 2], 0] },
  { tf: `chunklist(toset(["b","a"]),1)`, name: "chunklist", args: [set("b", "a"), 1] },
  { tf: `chunklist([1,"a"],1)`, name: "chunklist", args: [[1, "a"], 1] },
  { tf: `chunklist([1,2],-1)`, name: "chunklist", args: [[1, 2], -1] },
  { tf: `pow(2,10)`, name: "pow", args: [2, 10] },
  { tf: `pow(2,-1)`, name: "pow", args: [2, -1] },
  { tf: `pow(0,0)`, name: "pow", args: [0, 0] },
  { tf: `pow(-8,0.5)`, name: "pow", args: [-8, 0.5] },
  { tf: `signum(-5)`, name: "signum", args: [-5] },
  { tf: `signum(0)`, name: "signum", args: [0] },
  { tf: `signum(3.5)`, name: "signum", args: [3.5] },
  { tf: `log(8,2)`, name: "log", args: [8, 2] },
  { tf: `log(100,10)`, name: "log", args: [100, 10] },
  { tf: `log(-1,10)`, name: "log", args: [-1, 10] },
  { tf: `log(0,10)`, name: "log", args: [0, 10] },
  { tf: `parseint("100",10)`, name: "parseint", args: ["100", 10] },
  { tf: `parseint("FF",16)`, name: "parseint", args: ["FF", 16] },
  { tf: `parseint("-101",2)`, name: "parseint", args: ["-101", 2] },
  { tf: `parseint("+7",8)`, name: "parseint", args: ["+7", 8] },
  { tf: `parseint("zz",36)`, name: "parseint", args: ["zz", 36] },
  { tf: `parseint("Zz",62)`, name: "parseint", args: ["Zz", 62] },
  { tf: `parseint("12",1)`, name: "parseint", args: ["12", 1] },
  { tf: `parseint("1.5",10)`, name: "parseint", args: ["1.5", 10] },
  { tf: `parseint("19",8)`, name: "parseint", args: ["19", 8] },
  { tf: `parseint(12,10)`, name: "parseint", args: [12, 10] },
  { tf: `parseint("",10)`, name: "parseint", args: ["", 10] },
  { tf: `setproduct(["a","b"],[1,2])`, name: "setproduct", args: [["a", "b"], [1, 2]] },
  { tf: `setproduct(toset(["b","a"]),["x"])`, name: "setproduct", args: [set("b", "a"), ["x"]] },
  { tf: `setproduct([],[1])`, name: "setproduct", args: [[], [1]] },
  { tf: `setproduct(["a"],[1,"x"])`, name: "setproduct", args: [["a"], [1, "x"]] },
  { tf: `setproduct(["a"])`, name: "setproduct", args: [["a"]] },
  { tf: `setproduct(["a"],"b")`, name: "setproduct", args: [["a"], "b"] },
  { tf: `setproduct(["a"],[1,true])`, name: "setproduct", args: [["a"], [1, true]] },
  { tf: `matchkeys(["i-1","i-2","i-3"],["us","eu","us"],["us"])`, name: "matchkeys", args: [["i-1", "i-2", "i-3"], ["us", "eu", "us"], ["us"]] },
  { tf: `matchkeys(["a","b"],[1,2],["2"])`, name: "matchkeys", args: [["a", "b"], [1, 2], ["2"]] },
  { tf: `matchkeys([],[],["a"])`, name: "matchkeys", args: [[], [], ["a"]] },
  { tf: `matchkeys([1,2],[1],[1])`, name: "matchkeys", args: [[1, 2], [1], [1]] },
  { tf: `matchkeys([1],[true],[1])`, name: "matchkeys", args: [[1], [true], [1]] },
  { tf: `transpose({a=["1","2"],b=["2","3"]})`, name: "transpose", args: [{ a: ["1", "2"], b: ["2", "3"] }] },
  { tf: `transpose({b=["x"],a=["x"]})`, name: "transpose", args: [{ b: ["x"], a: ["x"] }] },
  { tf: `transpose({a=[1]})`, name: "transpose", args: [{ a: [1] }] },
  { tf: `transpose({})`, name: "transpose", args: [{}] },
  { tf: `transpose({a=[tostring(null)]})`, name: "transpose", args: [{ a: [null] }] },
  { tf: `transpose({a="x"})`, name: "transpose", args: [{ a: "x" }] },
  { tf: `filesha1("hello.txt")`, name: "filesha1", args: ["hello.txt"] },
  { tf: `filesha1("missing.txt")`, name: "filesha1", args: ["missing.txt"] },
  { tf: `filesha512("hello.txt")`, name: "filesha512", args: ["hello.txt"] },
  { tf: `filesha512(tostring(null))`, name: "filesha512", args: [null] },
  { tf: `filebase64sha512("hello.txt")`, name: "filebase64sha512", args: ["hello.txt"] },
  { tf: `filebase64sha512("missing.txt")`, name: "filebase64sha512", args: ["missing.txt"] },

  // basename, dirname, abspath
  { tf: `basename("/a/b/c.txt")`, name: "basename", args: ["/a/b/c.txt"] },
  { tf: `basename("a/b/")`, name: "basename", args: ["a/b/"] },
  { tf: `basename("")`, name: "basename", args: [""] },
  { tf: `basename("/")`, name: "basename", args: ["/"] },
  { tf: `basename(tostring(null))`, name: "basename", args: [null] },
  { tf: `dirname("/a/b/c.txt")`, name: "dirname", args: ["/a/b/c.txt"] },
  { tf: `dirname("c.txt")`, name: "dirname", args: ["c.txt"] },
  { tf: `dirname("a/b/")`, name: "dirname", args: ["a/b/"] },
  { tf: `dirname("a//b/../c")`, name: "dirname", args: ["a//b/../c"] },
  { tf: `dirname("")`, name: "dirname", args: [""] },
  { tf: `dirname("/")`, name: "dirname", args: ["/"] },
  { tf: `dirname([])`, name: "dirname", args: [[]] },
  { tf: `abspath("/a/../b/./c/")`, name: "abspath", args: ["/a/../b/./c/"] },
  { tf: `abspath("/")`, name: "abspath", args: ["/"] },
  { tf: `abspath(tostring(null))`, name: "abspath", args: [null] },
];

/** Terraform's JSON of a value, parsed back: sets become lists, key order does not matter. */
function asTerraformJson(value: unknown): unknown {
  return JSON.parse(jsonEncode(value)) as unknown;
}

describe("terraform functions, against terraform console", () => {
  let expected: ConsoleResult[];
  let cwd: string;

  beforeAll(() => {
    expected = terraformConsole(
      CASES.map((c) => c.tf),
      FILES,
    );
    cwd = mkdtempSync(path.join(os.tmpdir(), "wsstack-functions-"));
    for (const [name, content] of Object.entries(FILES)) writeFileSync(path.join(cwd, name), content);
  });

  it.each(CASES.map((c, i) => ({ ...c, i })))("$tf", ({ name, args, i }) => {
    const fn = terraformFunctions({ cwd })[name];
    expect(fn, `the emulator has ${name}()`).toBeDefined();
    const want = expected[i]!;
    if ("error" in want) {
      expect(() => fn!(args)).toThrow(EvaluationError);
    } else {
      expect(asTerraformJson(fn!(args))).toEqual(want.ok);
    }
  });
});

describe("terraform functions: the emulator's own contract", () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "wsstack-functions-own-"));
  mkdirSync(path.join(cwd, "sub"));
  writeFileSync(path.join(cwd, "sub", "a.txt"), "in sub");
  writeFileSync(path.join(cwd, "latin1.txt"), Buffer.from([0x68, 0xe9]));
  const fns = terraformFunctions({ cwd });
  const call = (name: string, ...args: unknown[]): unknown => fns[name]!(args);

  it("functions: the ones that cannot work offline, or are not implemented, are absent", () => {
    for (const name of ["timestamp", "uuid", "bcrypt", "templatefile", "try", "can", "constructor", "toString", "__proto__"]) expect(fns[name], name).toBeUndefined();
  });

  it("file: relative paths resolve against the working directory given", () => {
    expect(call("file", "sub/a.txt")).toBe("in sub");
    expect(call("fileexists", path.join(cwd, "sub", "a.txt"))).toBe(true);
  });

  it("abspath: a relative path is made absolute against the working directory", () => {
    expect(call("abspath", "sub/../x")).toBe(path.posix.join(cwd, "x"));
  });

  it("file: contents that are not UTF-8 are refused, pointing at filebase64", () => {
    expect(() => call("file", "latin1.txt")).toThrow(/not valid UTF-8; use the filebase64 function/);
    expect(call("filebase64", "latin1.txt")).toBe("aOk=");
  });

  it("file: a missing file is named in the error, in Terraform's words", () => {
    expect(() => call("file", "nope.txt")).toThrow(/no file exists at "nope.txt"; this function works only with files that are distributed as part of the configuration/);
  });

  it("lookup: a missing key is a failed call naming the key", () => {
    expect(() => call("lookup", { a: 1 }, "b")).toThrow(FunctionCallError);
    expect(() => call("lookup", { a: 1 }, "b")).toThrow('Call to function "lookup" failed: lookup failed to find key "b".');
  });

  it("arguments: a wrong type names the parameter and what is required", () => {
    expect(() => call("upper", [])).toThrow(InvalidFunctionArgumentError);
    expect(() => call("upper", [])).toThrow('invalid value for "str" parameter of upper(): string required');
    expect(() => call("join", ",", ["a"], "b")).toThrow('invalid value for "lists" parameter of join(): list of string required');
  });

  it("arguments: null is refused unless the parameter allows it", () => {
    expect(() => call("keys", null)).toThrow('invalid value for "inputMap" parameter of keys(): argument must not be null');
  });

  it("arguments: too few and too many are reported with the function's arity", () => {
    expect(() => call("split", ",")).toThrow('function "split" expects 2 argument(s); missing value for "str"');
    expect(() => call("split", ",", "a", "b")).toThrow('function "split" expects only 2 argument(s), got 3');
  });

  it("conversion functions: failures use the to-functions' wording", () => {
    expect(() => call("tonumber", "abc")).toThrow('cannot convert "abc" to number; given string must be a decimal representation of a number');
    expect(() => call("tobool", "yes")).toThrow('cannot convert "yes" to bool; only the strings "true" or "false" are allowed');
    expect(() => call("tolist", [1, true])).toThrow("cannot convert tuple to list of any single type");
    expect(() => call("tostring", [1])).toThrow("cannot convert tuple to string");
  });

  it("format: verb errors say which verb and where", () => {
    expect(() => call("format", "%d", 1.5)).toThrow('unsupported value for "%d" at 0: an integer is required');
    expect(() => call("format", "ab %s")).toThrow('not enough arguments for "%s" at 3: need index 1 but have 0 total');
    expect(() => call("format", "x", 1)).toThrow("too many arguments; no verbs in format string");
    expect(() => call("format", "%z", 1)).toThrow("unsupported format verb 'z' in \"%z\" at offset 0");
  });

  it("regex: an RE2 feature the emulator cannot translate is refused, not approximated", () => {
    expect(() => call("regex", "a(?i)b", "aB")).toThrow(/flags only at the very start/);
  });

  it("regex: RE2 group names JS would refuse still name the result's attributes", () => {
    expect(call("regex", "(?P<1st>a)(?P<_x>b)", "ab")).toEqual({ "1st": "a", _x: "b" });
  });

  it("toset: the result is a set, which the evaluator can tell from a list", () => {
    expect(isSet(call("toset", ["b", "a"]))).toBe(true);
    expect(isSet(call("tolist", setValue(["b", "a"])))).toBe(false);
    expect(isSet(call("setunion", ["a"], ["b"]))).toBe(true);
  });

  it("results: functions never hand back their arguments' arrays for callers to mutate", () => {
    const list = ["a", "b"];
    const reversed = call("reverse", list) as string[];
    reversed.push("c");
    expect(list).toEqual(["a", "b"]);
  });
});
