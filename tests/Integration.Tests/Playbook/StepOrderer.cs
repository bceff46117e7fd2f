using Xunit.Abstractions;
using Xunit.Sdk;

namespace Vz.Integration.Tests.Playbook;

/// <summary>Where a test of a shared fleet runs among its class's tests (lowest first).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int order) : Attribute
{
    public int Order => order;
}

/// <summary>
/// Runs a class's tests by their <see cref="StepAttribute"/>. Each test still sets up the state it
/// starts from, so it passes alone; the order only keeps the shared fleet from being moved between
/// versions more often than the tests need (each move is a rollout across the nodes).
/// </summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string Name = "Vz.Integration.Tests.Playbook.StepOrderer";
    public const string Assembly = "Vz.Integration.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName)
            .Select(a => a.GetConstructorArguments().Cast<int>().First()).DefaultIfEmpty(int.MaxValue).First());
}
