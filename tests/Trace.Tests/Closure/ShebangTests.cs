using System.Text;
using Vz.Trace.Closure;

namespace Vz.Trace.Tests.Closure;

public class ShebangTests
{
    static Shebang? Parse(string text) => Shebang.Parse(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("#!/bin/sh -e\necho hi\n", "/bin/sh", "-e")]
    [InlineData("#! /bin/bash\n", "/bin/bash", null)]
    [InlineData("#!/usr/bin/env python3\n", "/usr/bin/env", "python3")]
    [InlineData("#!/usr/bin/env -S perl -w\r\n", "/usr/bin/env", "-S perl -w")]
    [InlineData("#!/usr/bin/perl", "/usr/bin/perl", null)]
    public void InterpreterAndSingleArgumentAreSplitAsTheKernelDoes(string text, string interpreter, string? argument)
    {
        var s = Parse(text);
        Assert.NotNull(s);
        Assert.Equal(interpreter, s.Interpreter);
        Assert.Equal(argument, s.Argument);
    }

    [Theory]
    [InlineData("echo hi\n")]
    [InlineData("#!\n")]
    [InlineData("# comment\n")]
    public void FilesWithoutAnInterpreterLineAreNotScripts(string text)
    {
        Assert.Null(Parse(text));
    }

    [Theory]
    [InlineData("#!/usr/bin/env python3\n", "python3")]
    [InlineData("#!/usr/bin/env -S perl -w\n", "perl")]
    [InlineData("#!/usr/bin/env -Sperl -w\n", "perl")]
    [InlineData("#!/usr/bin/env -S LC_ALL=C -u HOME ruby --disable-gems\n", "ruby")]
    [InlineData("#!/bin/env -i node\n", "node")]
    [InlineData("#!/bin/sh -e\n", null)]
    public void EnvShebangNamesTheProgramEnvRuns(string text, string? program)
    {
        Assert.Equal(program, Parse(text)!.EnvProgram());
    }
}
