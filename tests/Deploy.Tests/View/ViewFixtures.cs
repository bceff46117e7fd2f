namespace Vz.Deploy.Tests.View;

/// <summary>fixtures/fleetview: journal and history output captured from harness nodes.</summary>
static class ViewFixtures
{
    public static string Text(string name) => File.ReadAllText(Path.Combine(Path.GetDirectoryName(Fixtures.Root)!, "fleetview", name));
}
