package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.proto.webhooks.v1.CreateWebhookRequest;
import dev.domainkeeper.proto.webhooks.v1.CreateWebhookResponse;
import dev.domainkeeper.proto.webhooks.v1.DeleteWebhookRequest;
import dev.domainkeeper.proto.webhooks.v1.DeleteWebhookResponse;
import dev.domainkeeper.proto.webhooks.v1.GetWebhookRequest;
import dev.domainkeeper.proto.webhooks.v1.GetWebhookResponse;
import dev.domainkeeper.proto.webhooks.v1.ListWebhookDeliveriesRequest;
import dev.domainkeeper.proto.webhooks.v1.ListWebhookDeliveriesResponse;
import dev.domainkeeper.proto.webhooks.v1.ListWebhooksRequest;
import dev.domainkeeper.proto.webhooks.v1.ListWebhooksResponse;
import dev.domainkeeper.proto.webhooks.v1.RotateWebhookSecretRequest;
import dev.domainkeeper.proto.webhooks.v1.RotateWebhookSecretResponse;
import dev.domainkeeper.proto.webhooks.v1.SendTestWebhookRequest;
import dev.domainkeeper.proto.webhooks.v1.SendTestWebhookResponse;
import dev.domainkeeper.proto.webhooks.v1.UpdateWebhookRequest;
import dev.domainkeeper.proto.webhooks.v1.UpdateWebhookResponse;
import dev.domainkeeper.proto.webhooks.v1.WebhooksServiceGrpc;
import dev.domainkeeper.webhooks.WebhookService;
import io.grpc.stub.StreamObserver;
import java.time.Clock;

/** Serves webhooks.v1.WebhooksService. */
final class WebhooksApi extends WebhooksServiceGrpc.WebhooksServiceImplBase {
    private final WebhookService webhooks;
    private final Clock clock;

    WebhooksApi(WebhookService webhooks, Clock clock) {
        this.webhooks = requireNonNull(webhooks, "webhooks");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void createWebhook(CreateWebhookRequest r, StreamObserver<CreateWebhookResponse> out) {
        WebhookService.WithSecret created = webhooks.create(
                Caller.accountId(),
                new WebhookService.CreateCommand(r.getUrl(), r.getEventTypesList(), r.getDescription()));
        out.onNext(CreateWebhookResponse.newBuilder()
                .setWebhook(WebhookMapper.toProto(created.endpoint(), clock.instant()))
                .setSigningSecret(created.secret())
                .build());
        out.onCompleted();
    }

    @Override
    public void listWebhooks(ListWebhooksRequest r, StreamObserver<ListWebhooksResponse> out) {
        WebhookService.Page page = webhooks.list(Caller.accountId(), r.getPageSize(), r.getPageToken());
        ListWebhooksResponse.Builder b = ListWebhooksResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.endpoints().forEach(e -> b.addWebhooks(WebhookMapper.toProto(e, clock.instant())));
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void getWebhook(GetWebhookRequest r, StreamObserver<GetWebhookResponse> out) {
        out.onNext(GetWebhookResponse.newBuilder()
                .setWebhook(WebhookMapper.toProto(webhooks.get(Caller.accountId(), r.getId()), clock.instant()))
                .build());
        out.onCompleted();
    }

    @Override
    public void updateWebhook(UpdateWebhookRequest r, StreamObserver<UpdateWebhookResponse> out) {
        out.onNext(UpdateWebhookResponse.newBuilder()
                .setWebhook(WebhookMapper.toProto(
                        webhooks.update(Caller.accountId(), r.getId(), WebhookMapper.toCommand(r)), clock.instant()))
                .build());
        out.onCompleted();
    }

    @Override
    public void deleteWebhook(DeleteWebhookRequest r, StreamObserver<DeleteWebhookResponse> out) {
        out.onNext(DeleteWebhookResponse.newBuilder()
                .setId(webhooks.delete(Caller.accountId(), r.getId()))
                .build());
        out.onCompleted();
    }

    @Override
    public void rotateWebhookSecret(RotateWebhookSecretRequest r, StreamObserver<RotateWebhookSecretResponse> out) {
        WebhookService.WithSecret rotated = webhooks.rotateSecret(Caller.accountId(), r.getId());
        out.onNext(RotateWebhookSecretResponse.newBuilder()
                .setWebhook(WebhookMapper.toProto(rotated.endpoint(), clock.instant()))
                .setSigningSecret(rotated.secret())
                .build());
        out.onCompleted();
    }

    @Override
    public void sendTestWebhook(SendTestWebhookRequest r, StreamObserver<SendTestWebhookResponse> out) {
        out.onNext(SendTestWebhookResponse.newBuilder()
                .setEventId(webhooks.sendTest(Caller.accountId(), r.getId()))
                .build());
        out.onCompleted();
    }

    @Override
    public void listWebhookDeliveries(
            ListWebhookDeliveriesRequest r, StreamObserver<ListWebhookDeliveriesResponse> out) {
        WebhookService.AttemptPage page =
                webhooks.deliveries(Caller.accountId(), r.getId(), r.getPageSize(), r.getPageToken());
        ListWebhookDeliveriesResponse.Builder b =
                ListWebhookDeliveriesResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.attempts().forEach(a -> b.addAttempts(WebhookMapper.toProto(a)));
        out.onNext(b.build());
        out.onCompleted();
    }
}
