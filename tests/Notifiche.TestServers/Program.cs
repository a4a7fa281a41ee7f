using Notifiche.TestServers;

var (options, error) = RunnerOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"{Runner.Prefix}{error}\n");
    Console.Error.WriteLine(RunnerOptions.Help);
    return 2;
}

if (options.Mode == "help")
{
    Console.WriteLine(RunnerOptions.Help);
    return 0;
}

return await new Runner(options).RunAsync();
