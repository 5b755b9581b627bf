using ClapAudit.Text;

namespace ClapAudit.Tests.Text;

public class BasicTokenizerSmokeTests
{
    [Theory]
    [InlineData("This is a sound of door_wood_knock!", "this|is|a|sound|of|door|_|wood|_|knock|!")]
    [InlineData("Café  NAÏVE\tdog's", "cafe|naive|dog|'|s")]
    [InlineData("", "")]
    public void SplitsLikeHuggingFaceBasicTokenizer(string text, string expected)
    {
        Assert.Equal(expected, string.Join("|", BasicTokenizer.Uncased.Tokenize(text)));
    }
}
