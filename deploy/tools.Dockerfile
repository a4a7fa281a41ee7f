# The operators' tools in one image: notifiche-admin (the census, sandbox, limits, keys, through the gateway's operator
# API) and notifiche-dlq (dead letters, through RabbitMQ), for a cluster or a bastion host where no .NET SDK and no
# checkout are (issue 19). Built like deploy/Dockerfile: restore from the project files alone, then publish,
# framework-dependent, onto the same ASP.NET Core runtime image (notifiche-dlq shares Notifiche.Messaging with the services).
# Build from the repository root (the build context), e.g.
#   docker build -f deploy/tools.Dockerfile -t notifiche/tools:local .
# Run (settings as environment variables, the secrets never on the command line):
#   docker run --rm -e NOTIFICHE_GATEWAY_URL=… -e NOTIFICHE_OPERATOR_KEY=… notifiche/tools:local notifiche-admin services list
#   docker run --rm -e NOTIFICHE_RABBITMQ_HOST=… -e NOTIFICHE_RABBITMQ_PASSWORD=… notifiche/tools:local notifiche-dlq list
#   (a CA file for --tls-ca / --management-tls-ca: mount it, e.g. -v /etc/notifiche/ca.pem:/ca.pem:ro)

# --- the project files alone: the restore layer below is reused until a .csproj changes, whatever else does
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS projects
WORKDIR /src
COPY tools/Notifiche.Admin/ tools/Notifiche.Admin/
COPY tools/Notifiche.Dlq/ tools/Notifiche.Dlq/
COPY shared/ shared/
RUN find . -type f ! -name '*.csproj' -delete

# --- restore, then publish each tool into its own folder (each has its own deps.json and runtimeconfig)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY --from=projects /src ./
RUN dotnet restore tools/Notifiche.Admin/Notifiche.Admin.csproj \
 && dotnet restore tools/Notifiche.Dlq/Notifiche.Dlq.csproj
COPY tools/Notifiche.Admin/ tools/Notifiche.Admin/
COPY tools/Notifiche.Dlq/ tools/Notifiche.Dlq/
COPY shared/ shared/
RUN dotnet publish tools/Notifiche.Admin/Notifiche.Admin.csproj -c Release -o /app/admin --no-restore \
 && dotnet publish tools/Notifiche.Dlq/Notifiche.Dlq.csproj -c Release -o /app/dlq --no-restore

# --- runtime: ASP.NET Core on Ubuntu, the image's non-root user "app" (uid $APP_UID = 1654), both commands on the PATH
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /app
COPY --from=build /app ./
RUN ln -s /app/admin/notifiche-admin /usr/local/bin/notifiche-admin \
 && ln -s /app/dlq/notifiche-dlq /usr/local/bin/notifiche-dlq
USER $APP_UID
# No entrypoint: the command names the tool (`notifiche-admin …`, `notifiche-dlq …`); without one, both print their help.
CMD ["/bin/sh", "-c", "notifiche-admin --help; notifiche-dlq --help"]
