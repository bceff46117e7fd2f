namespace Vz.Oci;

/// <summary>
/// Error codes of Vz.Oci; src/Oci/README.md lists the same. The numbers predate the library
/// (they were Bundle's and minify's), so they keep them: scripts may match on them.
/// </summary>
public static class OciErrors
{
    public static readonly ErrorCode EntrySizeChanged = new("VZ2011", "a tar entry's content is not the size its header declares (the file changed while packing)");
    public static readonly ErrorCode BadRuntimeConfig = new("VZ2024", "a bundle's config.json is missing or not an OCI runtime config");
    public static readonly ErrorCode BadReference = new("VZ2030", "an image name is not NAME:TAG with a lowercase repository");
    public static readonly ErrorCode BadJson = new("VZ2031", "an OCI JSON document (index, manifest, config) does not parse");
    public static readonly ErrorCode CannotWrite = new("VZ2032", "the image archive cannot be written");
    public static readonly ErrorCode LayerChanged = new("VZ2033", "the layer changed between hashing it and writing it");
    public static readonly ErrorCode NotAnArchive = new("VZ2034", "not an image archive: not a tar, or no index.json (or manifest.json), or no manifest listed");
    public static readonly ErrorCode BadArchiveContent = new("VZ2312", "an image archive's manifest names no config or layers, a bad digest, or a blob it lacks");
}
