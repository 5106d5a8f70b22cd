import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_CLUSTER_CIDRS } from '../cluster-networks.js';

/**
 * The shape checks of a cluster's pod or Service networks in a request (an optional list of at
 * most MAX_CLUSTER_CIDRS short strings); the CIDRs themselves are checked by cluster-networks.
 */
export const IsCidrList = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_CLUSTER_CIDRS),
    IsString({ each: true }),
    MaxLength(64, { each: true }),
  );
