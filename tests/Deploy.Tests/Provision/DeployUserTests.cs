using Vz.Deploy.Provision;
using Vz.Deploy.Ssh;

namespace Vz.Deploy.Tests.Provision;

public class DeployUserTests
{
    [Theory]
    [InlineData("deploy")]
    [InlineData("_vz")]
    [InlineData("ops-1")]
    public void PortableNamesAreAccepted(string user) => Assert.Equal(user, DeployUser.Validate(user));

    [Theory]
    [InlineData("root")]
    [InlineData("")]
    [InlineData("Deploy")]
    [InlineData("1deploy")]
    [InlineData("de.ploy")]
    [InlineData("de ploy")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void RootAndNamesUseraddOrSudoersCannotTakeAreRefused(string user) =>
        Assert.Equal(ProvisionErrors.BadDeployUser, Assert.Throws<VzException>(() => DeployUser.Validate(user)).Error);

    [Fact]
    public void RootIsRefusedWithAHintToNameAUser() =>
        Assert.Equal("name one with --user NAME (vzbuild run as root has no other default)", Assert.Throws<VzException>(() => DeployUser.Validate("root")).Hint);

    [Fact]
    public void APasswordNeverShowsInText()
    {
        var password = new SshPassword("hunter2");
        Assert.Equal("(password)", password.ToString());
        Assert.DoesNotContain("hunter2", $"{password} {new { password }}");
    }
}
