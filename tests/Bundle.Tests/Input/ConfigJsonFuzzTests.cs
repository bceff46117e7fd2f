using System.Text.Json.Nodes;
using Vz.Bundle.Image;
using Vz.Bundle.Runtime;
using Vz.Oci;
using Vz.Tests;

namespace Vz.Bundle.Tests.Input;

public sealed class ConfigJsonFuzzTests : IDisposable
{
    readonly TestTree rootfs = new();

    public void Dispose() => rootfs.Dispose();

    /// <summary>
    /// config.json as vzbuild bundle writes it with every value in turn nulled, retyped or removed,
    /// then it and two variants mutated at random: read, validated
    /// against a rootfs and converted to an image config as `vzbuild image` does, or refused with
    /// VZ2024 / VZ2020, within the time and memory bounds.
    /// </summary>
    [Fact]
    public void MutatedConfigJsonBecomesAnImageConfigOrARuntimeConfigError()
    {
        rootfs.File("app", "x", Fs.Modes.O755);
        rootfs.File("bin/sh", "x", Fs.Modes.O755);
        var plain = RuntimeConfigJson.Serialize(RuntimeConfigFactory.Create(new RuntimeOptions { Args = ["/app"], Env = ["A=1"], Ports = ["8080"] }));
        var shell = RuntimeConfigJson.Serialize(RuntimeConfigFactory.Create(new RuntimeOptions { Args = ["sh", "-c", "x"], Cwd = "/bin", Uid = 7, Gid = 8 }));
        var compact = JsonNode.Parse(plain)!.ToJsonString().Select(c => (byte)c).ToArray();
        var options = new FuzzOptions
        {
            Seed = 8_010,
            Structured = Fuzz.MutateJson,
            Tokens = ["\"process\":", "\"args\":", "\"env\":", "\"cwd\":", "\"root\":", "\"path\":", "\"ociVersion\":", "\"user\":", "\"uid\":", "{", "}", "[", "]",
                      "null", "true", "-1", "4294967296", "\"/etc\"", "\"../..\"", "\"org.opencontainers.image.exposedPorts\":\"0/xx\""],
        };
        void Read(byte[] bytes)
        {
            var config = RuntimeConfigJson.Deserialize(bytes, "config.json");
            RuntimeConfigFactory.Validate(config, rootfs.Dir);
            var image = ImageConfigConversion.FromRuntime(config, [], "amd64", "1970-01-01T00:00:00Z", "sha256:" + new string('0', 64));
            Assert.NotEmpty(image.Config.Cmd!);
            Assert.StartsWith("/", image.Config.WorkingDir);
        }
        static bool Typed(Exception e) => e is VzException v && (v.Error == OciErrors.BadRuntimeConfig || v.Error == BundleErrors.InvalidConfig || v.Error == BundleErrors.BadPort);
        var swept = Fuzz.Check(Fuzz.JsonSweep(plain), options, Read, Typed);
        Assert.True(swept.Accepted > 100 && swept.Refused > 100, $"{swept}");
        var r = Fuzz.Run([plain, shell, compact], options, Read, Typed);
        Assert.True(r.Accepted > 100 && r.Refused > 1000, $"{r}");
    }
}
