namespace Notifiche.Gateway.Retention;

internal static class RetentionRegistration
{
    /// <summary>Content retention: the job that deletes notices' content at the end of its retention.</summary>
    internal static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ContentRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ContentRetention>());
        return builder;
    }
}
