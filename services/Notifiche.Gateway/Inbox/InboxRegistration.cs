using Notifiche.Gateway.Registry;
using Notifiche.ServiceDefaults;

namespace Notifiche.Gateway.Inbox;

internal static class InboxRegistration
{
    /// <summary>The citizen's inbox: its API answers the citizen app backend, which has a key of its own.</summary>
    internal static IHostApplicationBuilder AddInbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddStaticKey(InboxEndpoints.Scheme, ApiKeys.Header, InboxEndpoints.AppBackendKeySetting,
            "The inbox API is for the citizen app backend, with its own key.");
        return builder;
    }
}
