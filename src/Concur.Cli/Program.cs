return Concur.Cli.ConcurApp.Run(args, Console.Out, Console.Error);
