using MassTransit;
using Notifiche.Messaging;

namespace Notifiche.Gateway.Campaigns;

public static class CampaignRegistration
{
    /// <summary>Campaign uploads and the admitter that turns their rows into notices behind single notices.</summary>
    public static IHostApplicationBuilder AddCampaigns(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CampaignOptions>().BindConfiguration(CampaignOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CampaignSignal>();
        builder.Services.AddScoped<CampaignUpload>();
        builder.Services.AddHostedService<CampaignAdmitter>();
        builder.AddBusConsumers(bus => bus.AddConsumer<AdmitCampaignRowConsumer, AdmitCampaignRowConsumerDefinition>());
        return builder;
    }
}
