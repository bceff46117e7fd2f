namespace Vz.Deploy.Playbook;

/// <summary>Error codes of vzbuild playbook (VZ46xx); src/Deploy/README.md lists the same.</summary>
public static class PlaybookErrors
{
    public static readonly ErrorCode RuncPod = new("VZ4601", "the fleet has a runtime: runc pod, which the playbook does not deploy yet");
    public static readonly ErrorCode NotOurRole = new("VZ4602", "the output directory holds a deploy.yaml or roles/vz_pod that vzbuild playbook did not write");
}
