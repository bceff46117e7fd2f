namespace Vz.Oci.Tests;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("localhost/web:1.2", "localhost/web", "1.2")]
    [InlineData("localhost:5000/a/b", "localhost:5000/a/b", "latest")]
    [InlineData("web", "web", "latest")]
    public void ReferencesSplitIntoRepositoryAndTag(string text, string repo, string tag) =>
        Assert.Equal(new ImageReference(repo, tag), ImageReference.Parse(text));

    [Theory]
    [InlineData("localhost/Web:1")]
    [InlineData("localhost/web@sha256:00")]
    [InlineData("localhost/web:-bad")]
    public void BadReferencesAreRefused(string text)
    {
        Assert.Equal("VZ2030", Assert.Throws<VzException>(() => ImageReference.Parse(text)).Code);
        Assert.Null(ImageReference.TryParse(text));
    }
}
