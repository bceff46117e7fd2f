namespace Vz.Core.Tests;

public class VzExceptionTests
{
    [Fact]
    public void ContextSaysWhatWasBeingDoneAndKeepsCodeHintAndCause()
    {
        var inner = new VzException(CoreErrors.TimedOut, "xdelta3 did not finish", "try again");
        var outer = inner.Context("push to node-a");
        Assert.Equal("push to node-a: xdelta3 did not finish", outer.Message);
        Assert.Equal((CoreErrors.TimedOut, "VZ0002", "try again"), (outer.Error, outer.Code, outer.Hint));
        Assert.Same(inner, outer.InnerException);
    }

    [Fact]
    public void AnErrorCodePrintsAsItsId() => Assert.Equal("VZ0001", $"{CoreErrors.CannotStart}");
}
