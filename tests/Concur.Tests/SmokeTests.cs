namespace Concur.Tests;

public class SmokeTests
{
    [Fact]
    public void Library_Loads() => Assert.Equal("Concur", typeof(IExecutor).Assembly.GetName().Name);
}
